/** Peak resident memory of this process while a benchmark runs, sampled every 50 ms. */
export function rssSampler(): { stop: () => number } {
  let peak = process.memoryUsage().rss;
  const t = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  return {
    stop: () => {
      clearInterval(t);
      return Math.max(peak, process.memoryUsage().rss);
    },
  };
}
