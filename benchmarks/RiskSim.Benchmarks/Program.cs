using BenchmarkDotNet.Running;

// Measure in the runtime mode the risksim CLI ships with (its runtimeconfig: TieredCompilation=false, every
// method compiled fully optimized once; ConcurrentGarbageCollection=false, no background GC thread competing
// for the cores; ConserveMemory=7, the heap compacted rather than fragmented). Benchmark processes inherit these variables; the engine and the scalar baseline run under
// the same settings.
Environment.SetEnvironmentVariable("DOTNET_TieredCompilation", "0");
Environment.SetEnvironmentVariable("DOTNET_gcConcurrent", "0");
Environment.SetEnvironmentVariable("DOTNET_GCConserveMemory", "7"); // the CLI's System.GC.ConserveMemory
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
