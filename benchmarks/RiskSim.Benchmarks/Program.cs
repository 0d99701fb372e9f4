using BenchmarkDotNet.Running;

// Measure in the JIT mode the risksim CLI ships with (TieredCompilation=false in its runtimeconfig):
// every method is compiled fully optimized once. Benchmark processes inherit this variable; the engine
// and the scalar baseline run under the same setting.
Environment.SetEnvironmentVariable("DOTNET_TieredCompilation", "0");
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
