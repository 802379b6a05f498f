/**
 * Runs `work` and rejects with `expire()` when it has not settled `ms` after it started or after
 * the last `touch()`, so a call that makes progress (bytes moving) lives on and a silent one
 * fails. `expire` is where the caller tears the connection down; `work`'s own late outcome is
 * ignored once the deadline has fired.
 */
export function withDeadline<T>(
  ms: number,
  expire: () => Error,
  work: (touch: () => void) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let last = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const check = (): void => {
      const idle = Date.now() - last;
      if (idle < ms) {
        timer = setTimeout(check, ms - idle);
        return;
      }
      settled = true;
      reject(expire());
    };
    timer = setTimeout(check, ms);
    const finish = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      return true;
    };
    let running: Promise<T>;
    try {
      running = work(() => {
        last = Date.now();
      });
    } catch (error) {
      if (finish()) reject(error);
      return;
    }
    running.then(
      (value) => {
        if (finish()) resolve(value);
      },
      (error: unknown) => {
        if (finish()) reject(error);
      },
    );
  });
}
