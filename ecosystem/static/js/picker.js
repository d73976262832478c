// Type-ahead pickers (ecosystem/picker.py). Each <span class="picker"> holds the form's real input;
// the script turns it into a hidden input and puts a combobox in front of it: the user types part
// of a name, a SIREN or a city, picks a suggestion (mouse, or arrows and Enter), and the row's id
// goes into the hidden input. Typing without picking sends what was typed (a SIREN works).
// Without JavaScript the real input stays a plain text box. ARIA: the combobox pattern with a
// listbox, aria-activedescendant and a polite live region for the number of suggestions.
(function () {
  "use strict";
  const MIN_CHARS = 2;
  const DELAY_MS = 200;
  let counter = 0;

  function enhance(box) {
    const original = box.querySelector("input");
    if (!original || box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    const number = ++counter;
    const listId = `picker-list-${number}`;

    const input = document.createElement("input");
    input.type = "text";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.className = "picker-input";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.placeholder = box.dataset.pickerPlaceholder || "";
    // A <label for>, an error's aria-describedby and aria-invalid now speak of the visible input.
    if (original.id) {
      input.id = original.id;
      original.id = `${original.id}-value`;
    }
    for (const name of ["aria-invalid", "aria-describedby", "disabled"]) {
      if (original.hasAttribute(name)) input.setAttribute(name, original.getAttribute(name));
    }
    input.value = box.dataset.pickerLabel || original.value;
    original.type = "hidden";
    original.removeAttribute("required");
    const current = box.querySelector(".picker-current");
    if (current) current.remove();

    const list = document.createElement("ul");
    list.id = listId;
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.insertBefore(input, original);
    box.append(list, status);

    let options = [];
    let active = -1;
    let timer = null;
    let sequence = 0;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(index) {
      const items = list.querySelectorAll("[role=option]");
      items.forEach((item, i) => item.setAttribute("aria-selected", i === index ? "true" : "false"));
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      const option = options[index];
      if (!option) return;
      original.value = String(option.id);
      input.value = option.label;
      close();
      status.textContent = option.label;
      original.dispatchEvent(new Event("input", { bubbles: true }));
      original.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function render(results) {
      options = results;
      active = -1;
      list.replaceChildren(
        ...results.map((result, index) => {
          const item = document.createElement("li");
          item.id = `${listId}-${index}`;
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", "false");
          const name = document.createElement("span");
          name.textContent = result.label;
          item.append(name);
          if (result.detail) {
            const detail = document.createElement("small");
            detail.textContent = result.detail;
            item.append(detail);
          }
          item.addEventListener("mousedown", (event) => {
            event.preventDefault(); // keep the focus in the input
            choose(index);
          });
          return item;
        })
      );
      if (!results.length) {
        const empty = document.createElement("li");
        empty.className = "picker-empty";
        empty.textContent = box.dataset.pickerEmpty || "";
        list.append(empty);
      }
      status.textContent = results.length
        ? (box.dataset.pickerCount || "{count}").replace("{count}", results.length)
        : box.dataset.pickerEmpty || "";
      open();
    }

    async function suggest() {
      const text = input.value.trim();
      if (text.length < MIN_CHARS) {
        close();
        return;
      }
      const url = new URL(box.dataset.pickerUrl, window.location.href);
      url.searchParams.set("q", text);
      const mine = ++sequence;
      let results = null;
      try {
        const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.ok) results = (await response.json()).results;
      } catch (error) {
        results = null;
      }
      if (mine !== sequence || document.activeElement !== input) return; // a newer search is on its way
      if (!Array.isArray(results)) {
        close();
        status.textContent = box.dataset.pickerFailed || "";
        return;
      }
      render(results);
    }

    input.addEventListener("input", () => {
      // What was typed is what is sent until a suggestion is chosen: an id or a SIREN works as is.
      original.value = input.value.trim();
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY_MS);
    });

    input.addEventListener("keydown", (event) => {
      const count = options.length;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          if (count) open();
          else suggest();
          return;
        }
        if (!count) return;
        const step = event.key === "ArrowDown" ? 1 : -1;
        highlight(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
      } else if (event.key === "Enter") {
        if (!list.hidden && count) {
          event.preventDefault(); // choosing is not submitting
          choose(active >= 0 ? active : 0);
        }
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          close();
        }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", () => setTimeout(close, 150));
  }

  function enhanceAll(root) {
    root.querySelectorAll(".picker[data-picker-url]").forEach(enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", () => enhanceAll(document));
  } else {
    enhanceAll(document);
  }
})();
