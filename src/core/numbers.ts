// Counts in the daemon's sentences, grouped by thousands ("12,345 jobs"), as
// toLocaleString("en-US") writes them, without it: the first call of
// toLocaleString loads ICU's number formatting, ~3 MB resident that the
// daemon then keeps for good (issue 6: measured in the compiled binary).

/** An integer with commas between groups of three digits: 1234567 → "1,234,567". */
export function grouped(n: number): string {
  const digits = String(Math.abs(Math.trunc(n)));
  let out = "";
  for (let end = digits.length; end > 0; end -= 3) out = digits.slice(Math.max(0, end - 3), end) + (out ? `,${out}` : "");
  return (n < 0 ? "-" : "") + out;
}
