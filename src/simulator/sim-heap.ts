// The simulator's event queue: a binary min-heap ordered by (time, insertion
// sequence). The sequence makes simultaneous events run in the order they
// were scheduled, which is what keeps a run identical for the same seed.

export interface Timed {
  at: number;
  seq: number;
}

export class EventHeap<E extends Timed> {
  private readonly items: E[] = [];
  private counter = 0;

  get size(): number {
    return this.items.length;
  }

  /** Stamps `event.seq` and inserts it. */
  push(event: E): void {
    event.seq = this.counter++;
    const a = this.items;
    a.push(event);
    let i = a.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = a[parent]!;
      if (!before(event, p)) break;
      a[i] = p;
      i = parent;
    }
    a[i] = event;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  pop(): E | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (top === undefined || last === undefined || a.length === 0) return top;
    // Sift `last` down from the root.
    const n = a.length;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const child = r < n && before(a[r]!, a[l]!) ? r : l;
      if (!before(a[child]!, last)) break;
      a[i] = a[child]!;
      i = child;
    }
    a[i] = last;
    return top;
  }
}

function before(x: Timed, y: Timed): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}
