"use strict";
// Small helpers of the staff console; every page also works without them.
(() => {
  const SEARCH_DELAY_MS = 120;
  const POLL_MS = 2000;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Search-as-you-type on the lookup page: the same search the form submits. */
  function searchAsYouType(input) {
    const list = document.getElementById("hits");
    let timer = null;
    let asked = 0;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const number = ++asked;
        const query = input.value.trim();
        const url = `/api/search?q=${encodeURIComponent(query)}`;
        try {
          const data = await (await fetch(url, { credentials: "same-origin" })).json();
          if (number !== asked) return; // a newer query was typed meanwhile
          list.replaceChildren(...(data.hits || []).map((hit) => {
            const item = element("li");
            const link = element("a", "", hit.name);
            link.href = `/procedures/${encodeURIComponent(hit.code)}`;
            item.append(link, " ", element("span", "code", hit.code));
            return item;
          }));
          const none = document.getElementById("no-hits");
          if (none) none.hidden = Boolean(query && data.hits && data.hits.length);
        } catch (error) {
          // the form still submits the query
        }
      }, SEARCH_DELAY_MS);
    });
  }

  /** "Copy answer": the clipboard where allowed, else the text stays selected. */
  function copyButton(button) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.getElementById("copy-status");
    button.addEventListener("click", async () => {
      source.select();
      try {
        await navigator.clipboard.writeText(source.value);
        status.textContent = "Đã sao chép.";
      } catch (error) {
        status.textContent = document.execCommand("copy") ? "Đã sao chép." : "Bạn nhấn Ctrl+C để sao chép.";
      }
    });
  }

  /** New messages of an open conversation, appended without reloading. */
  function pollMessages(list) {
    async function round() {
      try {
        const url = `${list.dataset.poll}?after=${list.dataset.after}`;
        const data = await (await fetch(url, { credentials: "same-origin" })).json();
        for (const message of data.messages || []) {
          const who = message.author === "citizen" ? "Người dân" : "Cán bộ";
          const item = element("li", `message message-${message.author}`);
          item.dataset.id = message.id;
          item.append(element("span", "meta", `${who} · ${message.at}`), ` ${message.text}`);
          list.append(item);
          list.dataset.after = message.id;
        }
      } catch (error) {
        // try again next round
      }
      setTimeout(round, POLL_MS);
    }
    setTimeout(round, POLL_MS);
  }

  /** The inbox list, refreshed without reloading. */
  function pollInbox(body) {
    async function round() {
      try {
        const data = await (await fetch(body.dataset.poll, { credentials: "same-origin" })).json();
        const rows = (data.conversations || []).map((c) => {
          const row = element("tr", c.waiting ? "waiting" : "");
          const link = element("a", "", "Mở");
          link.href = `/inbox/${c.id}`;
          const open = element("td");
          open.append(link);
          row.append(element("td", "", c.channel), element("td", "", c.live ? "trực tiếp" : "lời nhắn"),
            element("td", "", c.last_text), element("td", "", c.last_message_at), open);
          return row;
        });
        if (!rows.length) {
          const empty = element("td", "", "Chưa có cuộc trò chuyện nào đang chờ.");
          empty.colSpan = 5;
          rows.push(element("tr"));
          rows[0].append(empty);
        }
        body.replaceChildren(...rows);
      } catch (error) {
        // try again next round
      }
      setTimeout(round, POLL_MS);
    }
    setTimeout(round, POLL_MS);
  }

  const search = document.querySelector("[data-search-as-you-type]");
  if (search) searchAsYouType(search);
  const copy = document.querySelector("[data-copy]");
  if (copy) copyButton(copy);
  const messages = document.getElementById("messages");
  if (messages && messages.dataset.poll) pollMessages(messages);
  const inbox = document.getElementById("inbox-rows");
  if (inbox) pollInbox(inbox);
})();
