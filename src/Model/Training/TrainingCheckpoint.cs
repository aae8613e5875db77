using System.Globalization;
using static TorchSharp.torch;

namespace Concord.Model.Training;

/// <summary>
/// Everything a stopped training run needs to continue as if it had never stopped: the step, the
/// parameters and both Adam moments (float32, exact), and a fingerprint of the options that
/// produced them. One safetensors file, written atomically, so a kill at any moment leaves either
/// the previous checkpoint or the new one.
/// </summary>
public static class TrainingCheckpoint
{
    public const string FileName = "checkpoint.safetensors";
    private const string StepKey = "concord_training_step";
    private const string FingerprintKey = "concord_training_fingerprint";

    public static void Save(string path, int step, string fingerprint, AdamW optimiser, IReadOnlyDictionary<string, string>? extra = null)
    {
        var writer = new SafetensorsWriter();
        void Add(string prefix, IReadOnlyList<Tensor> tensors)
        {
            for (int i = 0; i < tensors.Count; i++)
            {
                using var cpu = tensors[i].detach().to(ScalarType.Float32, CPU).contiguous();
                writer.Add($"{prefix}.{i:D3}", cpu.shape, cpu.data<float>().ToArray());
            }
        }
        Add("param", optimiser.Parameters);
        Add("adam_m", optimiser.FirstMoments);
        Add("adam_v", optimiser.SecondMoments);
        writer.Metadata(StepKey, step.ToString(CultureInfo.InvariantCulture));
        writer.Metadata(FingerprintKey, fingerprint);
        writer.Metadata("adam_steps", optimiser.StepsTaken.ToString(CultureInfo.InvariantCulture));
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) writer.Metadata(k, v);
        AtomicFile.Write(path, writer.WriteTo);
    }

    /// <summary>The step and metadata of a checkpoint, without touching its tensors.</summary>
    public static (int Step, string Fingerprint, IReadOnlyDictionary<string, string> Metadata) Peek(string path)
    {
        var file = SafetensorsFile.Open(path);
        if (!file.Metadata.TryGetValue(StepKey, out var stepText) || !int.TryParse(stepText, CultureInfo.InvariantCulture, out int step)
            || !file.Metadata.TryGetValue(FingerprintKey, out var fingerprint))
            throw new ModelFileException($"{path}: not a Concord training checkpoint (no step or fingerprint)");
        return (step, fingerprint, file.Metadata);
    }

    /// <summary>Copies a checkpoint's parameters and moments into <paramref name="optimiser"/>; returns the step to continue from and the metadata.</summary>
    public static (int Step, IReadOnlyDictionary<string, string> Metadata) Load(string path, string expectedFingerprint, AdamW optimiser)
    {
        var (step, fingerprint, metadata) = Peek(path);
        if (fingerprint != expectedFingerprint)
            throw new ArgumentException($"{path} was written by a training run with other options ({fingerprint}); " +
                                        $"this run is {expectedFingerprint}. Use the same options, or another folder");
        var file = SafetensorsFile.Open(path);
        void Read(string prefix, IReadOnlyList<Tensor> targets)
        {
            using var noGrad = no_grad();
            for (int i = 0; i < targets.Count; i++)
            {
                var values = file.ReadSingles($"{prefix}.{i:D3}", targets[i].shape);
                using var source = tensor(values, targets[i].shape).to(targets[i].dtype, targets[i].device);
                targets[i].copy_(source);
            }
        }
        Read("param", optimiser.Parameters);
        Read("adam_m", optimiser.FirstMoments);
        Read("adam_v", optimiser.SecondMoments);
        optimiser.StepsTaken = int.Parse(metadata["adam_steps"], CultureInfo.InvariantCulture);
        return (step, metadata);
    }
}
