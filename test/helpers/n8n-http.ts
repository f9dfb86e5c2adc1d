// n8n's HTTP helpers as the nodes meet them: shared with the benchmarks (bench/n8n-http.ts).
export * from '../../bench/n8n-http';
