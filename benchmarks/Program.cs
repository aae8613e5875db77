using System.Diagnostics;
using Concord.Benchmarks;
using Concord.Methods.Attribution;
using Concord.Methods.Components;

// Quick stopwatch probe used while developing; the BenchmarkDotNet suites are the measurement of record.
var shape = args.Length > 0 ? args[0] : "gpt2-small";
using var w = new Workload(shape, 8);
Console.WriteLine($"{shape}: {w.Model.Config.ParameterCount:N0} params, 8 prompts × {w.Tokens} tokens");
var sw = Stopwatch.StartNew();
for (int i = 0; i < 3; i++) w.Model.Run(w.Batch.Clean.Tokens, readPositions: w.Batch.Clean.LastPositions).Dispose();
Console.WriteLine($"forward: {sw.Elapsed.TotalSeconds / 3:F3} s");
using var ctx = w.Context(10);
sw.Restart(); if (args.Length > 1) ActivationPatching.AllLayers(ctx, ComponentKind.Head); Console.WriteLine($"AP heads optimised: {sw.Elapsed.TotalSeconds:F2} s");
sw.Restart(); if (args.Length > 1) for (int l = 0; l < 2; l++) NaiveAttribution.ActivationPatching(ctx, ComponentKind.Head, l); Console.WriteLine($"AP heads naive (2 layers): {sw.Elapsed.TotalSeconds:F2} s");
sw.Restart(); if (args.Length > 1) for (int l = 0; l < 2; l++) IntegratedGradients.Layer(ctx, ComponentKind.Head, l); Console.WriteLine($"IG heads optimised (2 layers, 10 steps): {sw.Elapsed.TotalSeconds:F2} s");
sw.Restart(); if (args.Length > 1) for (int l = 0; l < 2; l++) NaiveAttribution.IntegratedGradients(ctx, ComponentKind.Head, l); Console.WriteLine($"IG heads naive (2 layers, 10 steps): {sw.Elapsed.TotalSeconds:F2} s");
for (int i = 0; i < 4; i++) { sw.Restart(); AttributionPatching.AllLayers(ctx, [ComponentKind.Head]); Console.WriteLine($"AtP: {sw.Elapsed.TotalSeconds:F3} s"); }
for (int i = 0; i < 4; i++) { using var c2 = w.Context(10, true); sw.Restart(); AttributionPatching.AllLayers(c2, [ComponentKind.Head]); Console.WriteLine($"AtP from recorded graph: {sw.Elapsed.TotalSeconds:F3} s"); }
for (int i = 0; i < 3; i++) { sw.Restart(); w.Model.Run(w.Batch.Clean.Tokens, readPositions: w.Batch.Clean.LastPositions).Dispose(); Console.WriteLine($"forward: {sw.Elapsed.TotalSeconds:F3} s"); }
Console.WriteLine($"peak RSS {File.ReadAllLines("/proc/self/status").First(l => l.StartsWith("VmHWM"))}");
