// A uPlot line chart over time, one line per series, sized to its box.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from '../lib/series';

const COLORS = ['#2f5bd3', '#1f9d55', '#c77d12', '#d64545', '#7b4bd6', '#138a8a', '#8a6d13', '#5c6370'];

export interface TimeChartProps {
  title: string;
  names: string[];
  data: ChartData;
  format: (v: number) => string;
  // 'fraction': a fixed 0..1 axis (rates, shares); 'from-zero': 0 to the
  // largest value.
  scale: 'fraction' | 'from-zero';
}

const RANGES: Record<TimeChartProps['scale'], uPlot.Range.Function> = {
  fraction: () => [0, 1],
  'from-zero': (_u, _min, max) => [0, max > 0 ? max * 1.15 : 1],
};

export function TimeChart({ title, names, data, format, scale }: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  // A new chart when the series change; new data otherwise.
  useEffect(() => {
    const el = box.current!;
    const opts: uPlot.Options = {
      width: el.clientWidth || 320,
      height: 180,
      legend: { show: true },
      scales: { y: { range: RANGES[scale] } },
      axes: [{}, { values: (_u, vals) => vals.map((v) => format(v)), size: 72 }],
      series: [{}, ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true }))],
    };
    plot.current = new uPlot(opts, data as uPlot.AlignedData, el);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: el.clientWidth, height: 180 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [names.join('\u0000')]);

  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);

  const samples = data[0].length;
  return (
    <figure class="chart">
      <figcaption>
        {title}
        {samples < 2 && <span class="muted small"> · collecting samples</span>}
      </figcaption>
      <div ref={box} class="chart-box" />
    </figure>
  );
}
