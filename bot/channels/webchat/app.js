"use strict";

(() => {
  const SENDER_KEY = "tro-ly-tthc.sender";
  const SENDER_PATTERN = /^[A-Za-z0-9-]{8,64}$/;
  const URL_PATTERN = /(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/g;
  const NETWORK_ERROR = "Không kết nối được tới máy chủ. Bạn vui lòng kiểm tra mạng rồi thử lại.";
  const UPDATES_EVERY_MS = 3000; // staff replies of a conversation handed to a person

  const log = document.getElementById("messages");
  const form = document.getElementById("composer");
  const input = document.getElementById("message-input");
  const sendButton = document.getElementById("send-button");
  const hotline = document.getElementById("hotline");
  const sender = loadSenderId();
  let busy = false;

  /** A random UUID v4; crypto.randomUUID needs HTTPS, getRandomValues does not. */
  function newSenderId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  /** The same id across visits, so Rasa remembers the conversation (private mode: per tab). */
  function loadSenderId() {
    let id = null;
    try {
      id = localStorage.getItem(SENDER_KEY);
    } catch (error) {
      // storage disabled: keep the id for this page only
    }
    if (!id || !SENDER_PATTERN.test(id)) {
      id = newSenderId();
      try {
        localStorage.setItem(SENDER_KEY, id);
      } catch (error) {
        // same as above
      }
    }
    return id;
  }

  /** Text with its URLs made clickable, built from text nodes (never innerHTML). */
  function appendLinkified(element, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      element.append(text.slice(last, match.index));
      const link = document.createElement("a");
      link.href = match[0];
      link.textContent = match[0];
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      element.append(link);
      last = match.index + match[0].length;
    }
    element.append(text.slice(last));
  }

  function addBubble(kind, text) {
    const bubble = document.createElement("div");
    bubble.className = `bubble bubble-${kind === "user" ? "user" : "bot"}`;
    if (kind === "error") bubble.classList.add("bubble-error");
    if (kind === "typing") bubble.classList.add("bubble-typing");
    const speaker = document.createElement("span");
    speaker.className = "visually-hidden";
    if (kind === "staff") bubble.classList.add("bubble-staff");
    speaker.textContent = { user: "Bạn: ", staff: "Cán bộ: " }[kind] || "Trợ lý: ";
    bubble.append(speaker);
    appendLinkified(bubble, text);
    log.append(bubble);
    log.scrollTop = log.scrollHeight;
    return bubble;
  }

  function addChips(buttons) {
    const group = document.createElement("div");
    group.className = "chips";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Gợi ý trả lời");
    for (const button of buttons) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "chip";
      chip.textContent = button.title;
      chip.addEventListener("click", () => {
        if (busy) return;
        for (const other of group.querySelectorAll("button")) other.disabled = true;
        send(button.payload, button.title);
      });
      group.append(chip);
    }
    log.append(group);
    log.scrollTop = log.scrollHeight;
  }

  function showReplies(replies) {
    for (const reply of replies) {
      addBubble("bot", reply.text);
      if (reply.buttons && reply.buttons.length) addChips(reply.buttons);
    }
  }

  function setBusy(value) {
    busy = value;
    sendButton.disabled = value;
    log.setAttribute("aria-busy", String(value));
  }

  /** Send `message` to the assistant, showing `shown` as what the user said. */
  async function send(message, shown) {
    addBubble("user", shown);
    setBusy(true);
    const typing = addBubble("typing", "Đang trả lời…");
    try {
      const response = await fetch("/api/message", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message }),
      });
      const data = await response.json().catch(() => ({}));
      typing.remove();
      if (response.ok) showReplies(data.messages || []);
      else addBubble("error", data.error || NETWORK_ERROR);
    } catch (error) {
      typing.remove();
      addBubble("error", NETWORK_ERROR);
    } finally {
      setBusy(false);
    }
  }

  async function showWelcome() {
    try {
      const response = await fetch("/api/welcome");
      const data = await response.json();
      if (data.hotline) {
        hotline.textContent = data.hotline;
        hotline.hidden = false;
      }
      showReplies(data.messages || []);
    } catch (error) {
      addBubble("error", NETWORK_ERROR);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text || busy) return;
    input.value = "";
    send(text, text).then(() => input.focus());
  });

  /** Staff replies arrive without a question: ask for them while the page is shown. */
  async function pollStaffReplies() {
    if (document.visibilityState === "visible") {
      try {
        const response = await fetch(`/api/updates?sender=${encodeURIComponent(sender)}`);
        const data = await response.json();
        for (const reply of data.messages || []) addBubble("staff", reply.text);
      } catch (error) {
        // offline for a moment: the next round asks again
      }
    }
    setTimeout(pollStaffReplies, UPDATES_EVERY_MS);
  }

  showWelcome();
  pollStaffReplies();
})();
