using Concord.Model;
using Concord.Model.Store;
using TorchSharp;

namespace Concord.Cli;

/// <summary>What <c>--model</c> accepts: a folder with config.json and model.safetensors, or a known name in the cache.</summary>
public static class ModelResolver
{
    public static HookedGpt2 Load(string model, string device = "cpu", bool float64 = false)
    {
        var folder = new ModelStore().Resolve(model);
        return HookedGpt2.Load(folder, float64 ? torch.ScalarType.Float64 : torch.ScalarType.Float32, DeviceOption.Parse(device));
    }
}
