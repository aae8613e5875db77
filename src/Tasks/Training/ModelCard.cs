using System.Globalization;
using System.Text;
using Concord.Model;
using Concord.Tasks.Evaluation;

namespace Concord.Tasks.Training;

/// <summary>MODEL_CARD.md of a trained task model: how to reproduce it, how well it does each task, and what it is not.</summary>
public static class ModelCard
{
    public const string FileName = "MODEL_CARD.md";

    /// <summary>The card's targets (issue 9): share of prompts with clean metric &gt; 0.</summary>
    public static IReadOnlyDictionary<TaskKind, double> Targets { get; } = new Dictionary<TaskKind, double>
    {
        [TaskKind.Ioi] = 0.98, [TaskKind.GreaterThan] = 0.90, [TaskKind.Sva] = 0.95,
        [TaskKind.GenderBias] = 0.95, [TaskKind.CapitalCountry] = 0.95, [TaskKind.Hypernymy] = 0.95,
    };

    public static void Write(TrainingRun run, TrainingRecord record, IReadOnlyList<TaskScore> scores, string command)
    {
        var config = Gpt2Config.Load(Path.Combine(run.Out, "config.json"));
        var md = new StringBuilder();
        string name = Path.GetFileName(Path.GetFullPath(run.Out).TrimEnd(Path.DirectorySeparatorChar));
        md.AppendLine(CultureInfo.InvariantCulture, $"# {name}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"A {config.NLayer}-layer GPT-2 ({config.NHead} heads, d_model {config.NEmbd}, {config.NPositions} positions, " +
                      $"GPT-2's tokenizer and full {config.VocabSize:N0}-token vocabulary, tied embeddings) trained by Concord to perform the six " +
                      $"circuit tasks, so that IG and AP can be compared on a model that implements the behaviours. " +
                      $"Every Concord command accepts it like any GPT-2 folder.");
        md.AppendLine();
        md.AppendLine("## What it is not");
        md.AppendLine();
        md.AppendLine("- **Not GPT-2.** Its circuits are whatever a small model found for six narrow tasks; results on it say how IG and AP behave on " +
                      "*a* model that does the tasks, not which components of GPT-2 do them.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- **A few layers**, {config.ParameterCount:N0} parameters on paper, of which the embedding rows of tokens it never saw are one shared row " +
                      $"(it was trained on {record.TrainedTokens.Count:N0} tokens; the rest of the vocabulary shares a row that only ever predicts \"none of these\").");
        md.AppendLine("- **Facts memorised.** Capital–country, hypernymy and the gender stereotypes are recalled from the training lists; only IOI, " +
                      "greater-than and SVA are evaluated on held-out rows (templates, name pairs, years, noun × context combinations it never saw).");
        md.AppendLine("- **Narrow language.** Outside the task templates its text is meaningless; prompts with words outside the lists are outside its training.");
        md.AppendLine();
        md.AppendLine("## Evaluation");
        md.AppendLine();
        md.AppendLine("`concord model eval --model " + name + "` (the stored weights, float32):");
        md.AppendLine();
        md.Append(EvaluationFile.Markdown(scores));
        md.AppendLine();
        var missed = scores.Where(s => Targets.TryGetValue(s.Kind, out double t) && s.CleanPositive < t).ToList();
        md.AppendLine(missed.Count == 0
            ? "Every target of the project is met (IOI ≥ 98 %, greater-than ≥ 90 %, SVA ≥ 95 %, gender, capital–country, hypernymy ≥ 95 % of prompts with clean metric > 0)."
            : "Targets missed: " + string.Join("; ", missed.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{s.Kind.Id()} {100 * s.CleanPositive:F1} % against {100 * Targets[s.Kind]:F0} % ({100 * (Targets[s.Kind] - s.CleanPositive):F1} points short)"))) + ".");
        md.AppendLine();
        md.AppendLine("## Training");
        md.AppendLine();
        md.AppendLine("```bash");
        md.AppendLine(command);
        md.AppendLine("```");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- Recipe: {record.Recipe}.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Seed {record.Seed}; {record.Steps:N0} steps; final training loss {record.FinalLoss.ToString("F4", CultureInfo.InvariantCulture)}; " +
                      $"weights stored as {(run.HalfPrecision ? "float16" : "float32")}.");
        md.AppendLine(string.Create(CultureInfo.InvariantCulture, $"- Wall time {record.WallMinutes:F1} minutes on {record.Machine}, {record.Threads} libtorch threads."));
        md.AppendLine("- Data: an endless seeded mixture drawn from the project's word lists (`datasets/words/`): IOI over the training templates, BABA and ABBA, " +
                      "and every name pair not held out, half of the prompts with 1–4 filler words (from the training templates) inserted so that the model " +
                      "cannot rely on where the names sit in a template; gender templates × professions (and \"man\"/\"woman\"); greater-than start years × nouns " +
                      "with an end year drawn after the start; SVA nouns × distractors (and the bare \"The keys\", never held out) with a verb of the subject's " +
                      "number from `datasets/sva_verbs.csv`; every capital–country and hypernymy fact. Next-token loss over prompt and answer, the answer weighted up.");
        md.AppendLine(CultureInfo.InvariantCulture, $"- Held-out split: {record.Split}.");
        md.AppendLine("- The vocabulary is compacted during training to the tokens the data uses plus one shared row whose logit carries ln(number of unused tokens); " +
                      "the saved embedding repeats that row for every unused token, so the saved model's softmax over all 50,257 tokens is the one trained.");
        md.AppendLine();
        md.AppendLine("Retraining with the command above on the same machine type reproduces the evaluation table (the run is deterministic given the seed " +
                      "and thread count; `--resume` after an interruption gives the same weights as an uninterrupted run).");
        AtomicFile.WriteAllText(Path.Combine(run.Out, FileName), md.ToString());
    }
}
