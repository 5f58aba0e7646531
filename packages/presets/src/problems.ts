/**
 * One collector for the problems found in a preset definition (`definePreset`) or in a user's
 * input (`resolvePreset`), so that one error reports them all, each with the field it concerns.
 *
 * @module
 */

/** A field and what is wrong with it: `"tokenUrl" must be an https: URL…`. */
export interface Problem {
  readonly field: string;
  readonly message: string;
}

/** Collects problems in the order they are found. */
export class Problems {
  readonly list: Problem[] = [];

  add(field: string, message: string): void {
    this.list.push({ field, message });
  }

  /** Whether a problem was found for `field`. */
  has(field: string): boolean {
    return this.list.some((problem) => problem.field === field);
  }

  /** The fields with problems, each once, in order. */
  fields(): string[] {
    return [...new Set(this.list.map((problem) => problem.field))];
  }

  /** Every problem as one sentence: `"a" is …; "b" is …`. */
  details(): string {
    return this.list.map((problem) => `"${problem.field}" ${problem.message}`).join('; ');
  }
}
