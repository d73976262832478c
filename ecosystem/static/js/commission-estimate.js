// Shows what a deal being registered would pay under the rules known today, on its expected close
// date when one is given, as the form is filled in.
// Progressive: without JavaScript the box stays hidden and the link to the estimator page remains.
(function () {
  const box = document.getElementById("commission-estimate");
  if (!box) return;
  const form = box.closest("form") || document.querySelector(box.dataset.form || "form.register-form");
  if (!form) return;
  const field = (name) => form.querySelector(`[name="${name}"]`);
  const total = box.querySelector(".estimate-total"), list = box.querySelector(".estimate-lines"),
        note = box.querySelector(".estimate-note");
  let timer = null, sequence = 0;

  function amountValue() {
    const input = field("amount");
    return input ? input.value.replace(/[\s\u00a0\u202f]/g, "").replace(",", ".") : "";
  }

  async function refresh() {
    const account = field("account"), productLine = field("product_line"), amount = amountValue();
    if (!account || !account.value || !productLine || !productLine.value || !amount || isNaN(Number(amount))) {
      box.hidden = true;
      return;
    }
    const query = new URLSearchParams({ account: account.value, product_line: productLine.value, amount: amount });
    const closing = field("expected_close");
    if (closing && /^\d{4}-\d{2}-\d{2}$/.test(closing.value)) query.set("expected_close", closing.value);
    const mine = ++sequence;
    const response = await fetch(`${box.dataset.estimateApi}?${query}`, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    });
    if (mine !== sequence) return; // a newer request is on its way
    if (!response.ok) { box.hidden = true; return; }
    const estimate = await response.json();
    total.textContent = `${Number(estimate.payout).toLocaleString(document.documentElement.lang || "fr", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}\u00a0€`;
    list.replaceChildren(...estimate.lines.map((line) => {
      const item = document.createElement("li");
      item.textContent = line.explanation;
      return item;
    }));
    note.textContent = estimate.lines.length ? estimate.notes.join(" ") : estimate.no_rule_reason;
    box.hidden = false;
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  ["account", "product_line", "amount", "expected_close"].forEach((name) => {
    const input = field(name);
    if (input) { input.addEventListener("input", later); input.addEventListener("change", later); }
  });
  refresh();
})();
