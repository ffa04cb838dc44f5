/**
 * Go's `%.Ng` float formatting (`strconv.FormatFloat(value, 'g', N, 64)`), which docker's size
 * columns use through go-units: N significant digits rounded half to even on the exact binary
 * value, trailing zeros dropped, exponent form (`1e+03`) when the exponent is below -4 or at
 * least N.
 */

/** Rounds a string of decimal digits to `count` digits, half to even; returns the digits and whether a carry added one digit. */
function roundDigits(digits: string, count: number): { digits: string; carried: boolean } {
  if (digits.length <= count) return { digits: digits.padEnd(count, "0"), carried: false };
  const kept = digits.slice(0, count);
  const rest = digits.slice(count);
  const first = rest.charCodeAt(0) - 48;
  const beyondHalf = /[1-9]/.test(rest.slice(1));
  const lastKept = kept.length > 0 ? kept.charCodeAt(kept.length - 1) - 48 : 0;
  const roundUp = first > 5 || (first === 5 && (beyondHalf || lastKept % 2 === 1));
  if (!roundUp) return { digits: kept, carried: false };
  const incremented = (BigInt(kept) + 1n).toString().padStart(count, "0");
  if (incremented.length > count) return { digits: incremented.slice(0, count), carried: true };
  return { digits: incremented, carried: false };
}

/** `fmt.Sprintf("%.*g", precision, value)` for a finite float. */
export function formatGoFloatG(value: number, precision: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : "-Inf";
  const digitsWanted = Math.max(1, precision);
  const sign = value < 0 || Object.is(value, -0) ? "-" : "";
  const magnitude = Math.abs(value);
  if (magnitude === 0) return `${sign}0`;
  // toPrecision(100) is correctly rounded to 100 digits: enough to see exact halves of a double.
  const precise = magnitude.toPrecision(100);
  let exponent: number;
  let allDigits: string;
  if (precise.includes("e")) {
    const [mantissa = "", exponentText = "0"] = precise.split("e");
    exponent = Number(exponentText);
    allDigits = mantissa.replace(".", "");
  } else {
    const [integerPart = "", fractionPart = ""] = precise.split(".");
    if (integerPart !== "0") {
      exponent = integerPart.length - 1;
      allDigits = integerPart + fractionPart;
    } else {
      const leadingZeros = /^0*/.exec(fractionPart)![0].length;
      exponent = -leadingZeros - 1;
      allDigits = fractionPart.slice(leadingZeros);
    }
  }
  const rounded = roundDigits(allDigits, digitsWanted);
  if (rounded.carried) exponent += 1;
  const significant = rounded.digits.replace(/0+$/, "") || "0";
  if (exponent < -4 || exponent >= digitsWanted) {
    const fraction = significant.slice(1);
    const exponentSign = exponent < 0 ? "-" : "+";
    const exponentDigits = String(Math.abs(exponent)).padStart(2, "0");
    return `${sign}${significant[0]}${fraction ? `.${fraction}` : ""}e${exponentSign}${exponentDigits}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${significant}`;
  const integerPart = significant.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const fractionPart = significant.slice(exponent + 1);
  return `${sign}${integerPart}${fractionPart ? `.${fractionPart}` : ""}`;
}
