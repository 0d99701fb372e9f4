using BenchmarkDotNet.Running;

// Measure in the runtime mode the risksim CLI ships with (its runtimeconfig: TieredCompilation=false, every
// method compiled fully optimized once; ConcurrentGarbageCollection=false, no background GC thread competing
// for the cores). Benchmark processes inherit these variables; the engine and the scalar baseline run under
// the same settings.
Environment.SetEnvironmentVariable("DOTNET_TieredCompilation", "0");
Environment.SetEnvironmentVariable("DOTNET_gcConcurrent", "0");
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
