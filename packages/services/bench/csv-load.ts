/**
 * Benchmark of {@link CsvBarSource.load} against csv-parse's sync API, the
 * floor it is compared with: the same file read with `readFileSync` and
 * parsed by `parse(text, { ... })` into string arrays (the read included),
 * with the options `load` gives csv-parse, without any validation or bar
 * building. The two alternate in one process (5 runs of each, after two
 * warm-ups of each), so that a noisy machine weighs on both alike.
 */
import { readFileSync } from 'node:fs';
import { SimulatedClock } from '@quant/core';
import { parse } from 'csv-parse/sync';
import { CsvBarSource } from '../src/index.js';

/** What {@link measureCsvLoad} measured, in milliseconds. */
export interface CsvLoadMeasure {
  /** `CsvBarSource.load` time of each run. */
  readonly load_ms_runs: number[];
  /** `readFileSync` + csv-parse/sync `parse` time of each run. */
  readonly csv_parse_sync_ms_runs: number[];
  /** Median of {@link CsvLoadMeasure.load_ms_runs}. */
  readonly load_ms: number;
  /** Median of {@link CsvLoadMeasure.csv_parse_sync_ms_runs}. */
  readonly csv_parse_sync_ms: number;
  /** Median of the runs' ratios, load time over csv-parse sync time, run by run. */
  readonly ratio: number;
  /** Data rows `load` read. */
  readonly rows: number;
}

const RUNS = 5;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

async function timeLoad(path: string, symbol: string): Promise<{ ms: number; rows: number }> {
  const start = performance.now();
  const source = await CsvBarSource.load({ path, symbol, clock: new SimulatedClock(0) });
  return { ms: performance.now() - start, rows: source.stats.rows };
}

function timeCsvParseSync(path: string): number {
  const start = performance.now();
  const records: string[][] = parse(readFileSync(path, 'utf8'), {
    delimiter: ',',
    skip_empty_lines: true,
    bom: true,
    trim: true,
    relax_column_count: true,
  });
  const ms = performance.now() - start;
  if (records.length === 0) throw new Error(`${path}: no records`);
  return ms;
}

/**
 * Times `CsvBarSource.load` and csv-parse/sync on one file, alternately.
 * @param path - the CSV file (with the default layout: header `open_time,open,high,low,close,volume`).
 * @param symbol - the symbol it holds.
 */
export async function measureCsvLoad(path: string, symbol: string): Promise<CsvLoadMeasure> {
  // Two warm-ups of each: the first measured load after a single one ran about twice as slow (V8 re-optimizes
  // csv-parse's loop after the sync parse in between).
  for (let warmUp = 0; warmUp < 2; warmUp++) {
    await timeLoad(path, symbol);
    timeCsvParseSync(path);
  }
  const load_ms_runs: number[] = [];
  const csv_parse_sync_ms_runs: number[] = [];
  const ratios: number[] = [];
  let rows = 0;
  for (let run = 0; run < RUNS; run++) {
    const load = await timeLoad(path, symbol);
    const sync = timeCsvParseSync(path);
    rows = load.rows;
    load_ms_runs.push(load.ms);
    csv_parse_sync_ms_runs.push(sync);
    ratios.push(load.ms / sync);
  }
  return {
    load_ms_runs,
    csv_parse_sync_ms_runs,
    load_ms: median(load_ms_runs),
    csv_parse_sync_ms: median(csv_parse_sync_ms_runs),
    ratio: median(ratios),
    rows,
  };
}
