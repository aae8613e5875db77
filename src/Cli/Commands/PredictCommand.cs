using Concord.Tasks.Models;
using System.CommandLine;
using Concord.Model;
using static TorchSharp.torch;

namespace Concord.Cli.Commands;

public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "A model folder or a known name in the cache", Required = true };
        var prompt = new Option<string>("--prompt") { Description = "Text to continue", Required = true };
        var top = new Option<int>("--top") { Description = "How many next tokens to list", DefaultValueFactory = _ => 10 };
        var noBos = new Option<bool>("--no-bos") { Description = "Do not prepend <|endoftext|>" };
        var command = new Command("predict", "Show the most likely next tokens after a prompt") { model, prompt, top, SharedOptions.Device, noBos };
        command.SetGuardedAction((parse, ct) =>
        {
            int k = parse.GetValue(top);
            if (k <= 0) throw new ArgumentException("--top must be positive");
            using var gpt = ModelResolver.Load(parse.GetValue(model)!, parse.GetValue(SharedOptions.Device)!, cancel: ct);
            var tokenizer = Gpt2Tokenizer.Instance;
            ModelResolver.RequireGpt2Vocabulary(gpt);
            var ids = tokenizer.Encode(parse.GetValue(prompt)!, !parse.GetValue(noBos));
            using var scope = NewDisposeScope();
            using var batch = TokenBatch.FromIds([ids], gpt.Device);
            var logits = gpt.Run(batch.Tokens, readPositions: batch.LastPositions)[0];
            var probs = nn.functional.softmax(logits.to(ScalarType.Float64), 0);
            var (values, indices) = probs.topk(Math.Min(k, (int)probs.shape[0]));
            Console.WriteLine($"{ids.Length} tokens; next-token distribution:");
            Console.WriteLine($"{"rank",4}  {"id",6}  {"probability",11}  token");
            for (int i = 0; i < values.shape[0]; i++)
            {
                int id = (int)indices[i].item<long>();
                Console.WriteLine($"{i + 1,4}  {id,6}  {values[i].item<double>(),11:F6}  {Quote(tokenizer.Decode(id))}");
            }
            return 0;
        });
        return StrictNumbers.Enforce(command);
    }

    private static string Quote(string token) => "'" + token.Replace("\n", "\\n") + "'";
}
