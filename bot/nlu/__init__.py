"""Custom Rasa NLU components for Vietnamese: tokenizer, accent-folding featurizer, procedure linker."""
