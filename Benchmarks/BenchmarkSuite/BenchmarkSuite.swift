// BenchmarkSuite — the workloads of `mbrl bench`.
