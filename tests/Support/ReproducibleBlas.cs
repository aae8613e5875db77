using System.Runtime.CompilerServices;

namespace Concord.Tests.Support;

/// <summary>
/// Every test assembly puts the CPU BLAS in its reproducible mode when it loads, before any test can
/// make a tensor: a test that starts with TorchSharp alone would otherwise reach MKL before
/// Concord.Model's own initializer, and MKL fixes its mode at its first call.
/// </summary>
internal static class ReproducibleBlas
{
#pragma warning disable CA2255 // a test assembly's start-up, on purpose
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void OnLoad() => Concord.Model.NumericalReproducibility.Ensure();
}
