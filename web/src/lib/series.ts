// uPlot's columns for a time chart: x in seconds, then one y column per
// series, null where a series has no value (lib/stats.ts shapes them).
export type ChartData = [number[], ...(number | null)[][]];
