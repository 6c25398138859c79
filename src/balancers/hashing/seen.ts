/**
 * A set of small integers (server indices) emptied in O(1): each member is
 * marked with the current generation, and `clear` starts a new one. Probing
 * families use it to offer each server once per probe without allocating.
 */
export class SeenSet {
  private marks = new Uint32Array(0);
  private generation = 1;
  /** Members in the current generation. */
  size = 0;

  /** Empties the set and sizes it for members 0 … n−1. */
  reset(n: number): void {
    this.marks = new Uint32Array(n);
    this.generation = 1;
    this.size = 0;
  }

  clear(): void {
    this.size = 0;
    if (++this.generation === 0xffffffff) {
      this.marks.fill(0);
      this.generation = 1;
    }
  }

  /** Adds `i`; true if it was not yet a member. */
  add(i: number): boolean {
    if (this.marks[i] === this.generation) return false;
    this.marks[i] = this.generation;
    this.size++;
    return true;
  }
}
