import { PlinthError } from "../errors.ts";

/** The error every filter/sort problem becomes: a 400 naming the problem and its 0-based position. */
export function filterError(problem: string, position?: number): PlinthError {
  const where = position === undefined ? "" : ` at position ${position}`;
  return new PlinthError("invalid_input", `Invalid filter: ${problem}${where}.`);
}

/** Shortens user text quoted in an error message. */
export function quote(s: string): string {
  const short = s.length > 60 ? `${s.slice(0, 60)}…` : s;
  return JSON.stringify(short);
}

/** A resolution problem without a position yet; the caller adds the operand's position. */
export class FieldProblem extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = "FieldProblem";
  }
}
