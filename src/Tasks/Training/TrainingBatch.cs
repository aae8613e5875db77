using Concord.Model;
using Concord.Model.Training;
using static TorchSharp.torch;

namespace Concord.Tasks.Training;

/// <summary>
/// One step's sequences (prompt + continuation, in compact ids), right-padded: inputs and next-token
/// targets [batch, pos], loss weights [batch, pos] (1 on prompt tokens, the answer weight on the
/// continuation, 0 on padding), and each prompt's last position, where the task metric is read.
/// </summary>
public sealed record TrainingBatch(Tensor Inputs, Tensor Targets, Tensor Weights, Tensor ReadPositions)
{
    public static TrainingBatch Create(IReadOnlyList<TaskSample> samples, CompactVocabulary vocabulary, Gpt2Tokenizer tokenizer,
        double answerWeight, int maxPositions)
    {
        var sequences = new List<(int[] Ids, int PromptLength)>();
        foreach (var s in samples)
        {
            var prompt = tokenizer.Encode(s.Clean);
            var answer = tokenizer.Encode(s.Continuation, prependBos: false);
            int[] ids = [.. prompt, .. answer];
            foreach (var id in ids)
                if (!vocabulary.Contains(id))
                    throw new InvalidOperationException($"token {id} ('{tokenizer.Decode(id)}') of \"{s.Clean}{s.Continuation}\" is outside the training vocabulary");
            if (ids.Length - 1 > maxPositions)
                throw new ArgumentException($"\"{s.Clean}{s.Continuation}\" has {ids.Length} tokens; the model has {maxPositions} positions");
            sequences.Add((vocabulary.ToCompact(ids), prompt.Length));
        }
        int width = sequences.Max(s => s.Ids.Length) - 1;
        var inputs = new long[samples.Count * width];
        var targets = new long[samples.Count * width];
        var weights = new float[samples.Count * width];
        var read = new long[samples.Count];
        for (int b = 0; b < sequences.Count; b++)
        {
            var (ids, promptLength) = sequences[b];
            for (int j = 0; j < ids.Length - 1; j++)
            {
                inputs[b * width + j] = ids[j];
                targets[b * width + j] = ids[j + 1];
                weights[b * width + j] = j + 1 >= promptLength ? (float)answerWeight : 1f;
            }
            read[b] = promptLength - 1;
        }
        return new TrainingBatch(
            tensor(inputs, [samples.Count, width]), tensor(targets, [samples.Count, width]),
            tensor(weights, [samples.Count, width]), tensor(read));
    }
}
