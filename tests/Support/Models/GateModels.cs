using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Model;
using Concord.Tasks;
using static TorchSharp.torch;

namespace Concord.Tests.Support;

/// <summary>How a gate model combines its two input heads h₀, h₁ ∈ {0 (corrupted), 1 (clean)}.</summary>
public enum Gate
{
    /// <summary>Both inputs needed: m − offset = G·AND(h₀, h₁).</summary>
    And,
    /// <summary>Either input suffices (backup heads): m − offset = G·(h₀ + h₁ − AND(h₀, h₁)).</summary>
    Or,
    /// <summary>Each input worth half: m − offset = G·(h₀ + h₁)/2.</summary>
    Additive,
}

/// <summary>
/// A GPT-2 built by hand whose metric is a known function of its input heads (<see cref="GateModels"/>
/// for the construction), with aligned clean and corrupted prompts: every method's right answer is
/// analytic. The same on every prompt.
/// </summary>
public sealed class GateModel : IDisposable
{
    /// <summary>For messages: "AND", "OR", "additive", "AND pair + independent".</summary>
    public string Name { get; }
    /// <summary>The two-head gate; null for <see cref="GateModels.AndPairPlusIndependent"/>.</summary>
    public Gate? Gate { get; }
    /// <summary>Runs with <see cref="GateModels.Variant"/> (affine LayerNorm, GELU kept).</summary>
    public HookedGpt2 Model { get; }
    /// <summary><see cref="GateModels.PromptCount"/> prompts of <see cref="GateModels.PromptLength"/> tokens, the signal token on.</summary>
    public TokenBatch Clean { get; }
    /// <summary>The same prompts with the signal token off: equal lengths, positions aligned.</summary>
    public TokenBatch Corrupted { get; }
    /// <summary>logit(<see cref="GateModels.Answer"/>) − logit(<see cref="GateModels.OtherAnswer"/>) at the last token.</summary>
    public IPromptMetric Metric { get; }
    /// <summary>m(clean) − m(corrupted), the same on every prompt (to float round-off).</summary>
    public double Gap { get; }
    /// <summary>The gate's input heads; input i is argument i of <see cref="MetricAt"/>.</summary>
    public IReadOnlyList<Target> Inputs { get; }
    /// <summary>
    /// Heads that do nothing to the metric (every method scores them 0). Layer 0's read the signal
    /// (their activation differs between clean and corrupted) and write where nothing reads; layer
    /// 1's read the gate's inputs and output and write where nothing reads.
    /// </summary>
    public IReadOnlyList<Target> Bystanders { get; }
    /// <summary>
    /// The h an input gets under mean ablation: L × the mean of its z[·, 0] over every position of the
    /// clean prompts. z_h[j, 0] = σ/(j + 1) at positions j at or after the signal token's, 0 before
    /// (uniform causal attention), so with the signal at 1, 2, 3: L·(1/2 + 2/3 + 3/4)/(3·L) = 23/36.
    /// </summary>
    public double MeanAblatedInput => GateModels.MeanAblatedInput;

    /// <summary>The MLP neuron computing AND of the pair (L0N0); null for the additive gate, which has none.</summary>
    public Target? GateNeuron { get; }

    private readonly double[] _linear;
    private readonly (int A, int B)? _andPair;
    private readonly double _andWeight;

    internal GateModel(string name, Gate? gate, HookedGpt2 model, TokenBatch clean, TokenBatch corrupted, IPromptMetric metric,
        IReadOnlyList<Target> inputs, IReadOnlyList<Target> bystanders, double[] linear, (int A, int B)? andPair, double andWeight)
    {
        Name = name;
        Gate = gate;
        Model = model;
        Clean = clean;
        Corrupted = corrupted;
        Metric = metric;
        Inputs = inputs;
        Bystanders = bystanders;
        _linear = linear;
        _andPair = andPair;
        _andWeight = andWeight;
        GateNeuron = andPair is null ? null : new Target(0, TargetSpace.Neuron, GateModels.GateNeuronIndex);
        Gap = CleanMetric - CorruptedMetric;
    }

    /// <summary>m of every clean prompt.</summary>
    public double CleanMetric => MetricAt(Enumerable.Repeat(1.0, Inputs.Count).ToArray());

    /// <summary>m of every corrupted prompt (<see cref="GateModels.Offset"/>).</summary>
    public double CorruptedMetric => MetricAt(new double[Inputs.Count]);

    /// <summary>
    /// The metric, analytically, when input head i writes h_i to the gate (h_i = L·z_i[last, 0]: 1 in
    /// the clean run, 0 in the corrupted one, anything in between on IG's path or under mean
    /// ablation): offset + Σ_i c_i h_i + w·AND(h_a, h_b), AND(x, y) = gelu_new(k(x + y − 3/2))/(k/2).
    /// </summary>
    public double MetricAt(params double[] inputs)
    {
        CheckInputs(inputs);
        double m = GateModels.Offset;
        for (int i = 0; i < inputs.Length; i++) m += _linear[i] * inputs[i];
        if (_andPair is var (a, b)) m += _andWeight * GateModels.And(inputs[a], inputs[b]);
        return m;
    }

    /// <summary>∂m/∂h_i at <paramref name="inputs"/>, analytically (the integrand of IG along any path, times Δh_i).</summary>
    public double[] GradientAt(params double[] inputs)
    {
        CheckInputs(inputs);
        var gradient = (double[])_linear.Clone();
        if (_andPair is var (a, b))
        {
            double slope = _andWeight * GateModels.AndSlope(inputs[a], inputs[b]);
            gradient[a] += slope;
            gradient[b] += slope;
        }
        return gradient;
    }

    /// <summary>
    /// m(S): the base run's metric (clean when noising) with every member of <paramref name="patched"/>
    /// at its value in the other run, all at once. Any component of the model: an input head (or its
    /// head output), the gate neuron or layer 0's MLP (the gate's output taken from the other run),
    /// a per-position variant (only the last position counts), or anything else (no effect). E(S) =
    /// m(S) − m(∅); under noising E({c}) = AP_c.
    /// </summary>
    public double PatchedMetric(Direction direction, IEnumerable<Target> patched)
    {
        double baseValue = direction == Direction.Noising ? 1 : 0, otherValue = 1 - baseValue;
        var set = patched.Where(c => c.Position is not int p || p == GateModels.PromptLength - 1).ToList();
        bool Patched(Func<Target, bool> matches) => set.Any(matches);
        var inputs = Inputs.Select(input => Patched(c => c.Layer == input.Layer && c.Index == input.Index
            && (c.Space == TargetSpace.Head || c.Space == TargetSpace.HeadOutput)) ? otherValue : baseValue).ToArray();
        bool gateFromOther = _andPair is not null && Patched(c => c.Layer == 0
            && (c.Space == TargetSpace.Mlp || (c.Space == TargetSpace.Neuron && c.Index == GateModels.GateNeuronIndex)));
        if (!gateFromOther) return MetricAt(inputs);
        // The gate's output as the other run computed it, the linear part as the patched inputs give it.
        var (a, b) = _andPair!.Value;
        return MetricAt(inputs) - _andWeight * GateModels.And(inputs[a], inputs[b]) + _andWeight * GateModels.And(otherValue, otherValue);
    }

    public double PatchedMetric(Direction direction, params Target[] patched) => PatchedMetric(direction, (IEnumerable<Target>)patched);

    private void CheckInputs(double[] inputs)
    {
        if (inputs.Length != Inputs.Count) throw new ArgumentException($"{Name} has {Inputs.Count} inputs, got {inputs.Length} values");
    }

    public override string ToString() => $"{Name} gate model (gap {Gap})";

    public void Dispose()
    {
        Clean.Dispose();
        Corrupted.Dispose();
        Model.Dispose();
    }
}

/// <summary>
/// Small GPT-2s built by hand so that the right answer of every method is analytic: an AND, an OR
/// and an additive gate of two heads, and an AND pair plus an independent head.
/// </summary>
/// <remarks>
/// <para>Config: 2 layers, 4 heads, d_model 8 (d_head 2), d_mlp 32, 8 positions, a vocabulary of 8,
/// run with <see cref="Variant"/>: LayerNorm is x·1 + 0 (every LayerNorm weight 1, bias 0) and
/// GELU (gelu_new, the tanh form, as in GPT-2) is the only nonlinearity besides layer 1's softmax.</para>
/// <para>Residual dimensions: 0 signal; 1, 2, 3 the inputs h₀, h₁, h₂; 4 the gate output; 5 the
/// offset; 6, 7 junk (read by nothing that reaches the metric).</para>
/// <para>Tokens: the signal token on (<see cref="SignalOn"/>: dim 0 = 1, dim 7 = 3/4) in the clean
/// prompt and off (<see cref="SignalOff"/>: dim 7 = 3/4) in the corrupted one, at position 1, 2 or 3
/// of a 4-token prompt of fillers (junk dimensions only). Position embeddings are 0 except dim 7
/// (junk, (j + 1)/8). All biases are 0 except the gate neuron's and one in layer 1.</para>
/// <para>Layer 0: W_Q = W_K = 0, so every head attends uniformly (softmax of zeros) over the
/// causally visible positions; at the last one that is all L = 4, so head h's z[last, 0] = σ/4, σ = 1
/// clean and 0 corrupted (W_V reads dim 0 into z_h[0]; the signal token is the only token with it).
/// An input head's W_O writes L·z_h[0] to its own dimension 1 + h: h_h = σ exactly (powers of two).
/// Bystander heads read the signal too, but write junk. Layer 0's MLP neuron 0 (when there is a
/// gate): pre = k(h_a + h_b − 3/2) (W_in = k, b_in = −3k/2), W_out = 2/k into dim 4, so dim 4 holds
/// AND(h_a, h_b) = gelu_new(k(h_a + h_b − 3/2))/(k/2), k = <see cref="Sharpness"/>: 1 for both
/// inputs (pre = k/2), 0 for one or none (pre = −k/2, −3k/2), up to the tail below.</para>
/// <para>Layer 1: heads with nonzero W_Q, W_K (patterns that change with the run) read dims 1, 4 and
/// write junk; b_O puts 1 into dim 5; MLP neuron 0 reads dim 4 and writes junk. So layer 1 changes
/// nothing the metric reads except the constant offset.</para>
/// <para>Readout: the unembedding is tied to the token embedding, so the answer token's embedding is
/// the readout vector: m = logit(<see cref="Answer"/>) − logit(<see cref="OtherAnswer"/>) =
/// offset + Σ_i c_i h_i + w·AND (the other answer's embedding is 0). AND: c = 0, w = G; OR: c_i = G,
/// w = −G; additive: c_i = G/2, no neuron; AND pair + independent: c = (0, 0, G_ind), w = G_and.
/// The metric reads the last position only, and nothing positional, biased or masked reaches the
/// dimensions it reads, so prompts with the signal token at different positions have one gap.</para>
/// <para>The GELU tail: |gelu_new(x) − max(x, 0)| ≤ |x|·exp(−2√(2/π)(|x| + 0.044715|x|³)) (from
/// 1 ± tanh u ≤ 2e^{∓2u}); at |x| = k/2 = 8 that is 8·e^{−49.3} = 3.1e-21, i.e. 3.9e-22 after the
/// 2/k normalisation, and |gelu_new′(x) − [x > 0]| ≤ 4.8e-20 there: see <see cref="TailBound"/>.
/// In float64 both round to exactly 0 and 1 (tanh saturates), so AP is exact to round-off. (AND's
/// noising AP is −G for any k: gelu_new(x) − gelu_new(−x) = x exactly, so the tail cancels there; the
/// other values do depend on k.)</para>
/// </remarks>
public static class GateModels
{
    public const int Layers = 2, Heads = 4, DModel = 8, DHead = DModel / Heads, Vocabulary = 8;
    public const int PromptLength = 4, PromptCount = 3;
    /// <summary>k: the AND neuron's pre-activation is k(h_a + h_b − 3/2).</summary>
    public const double Sharpness = 16;
    /// <summary>m(corrupted) for every model (layer 1's b_O into the offset dimension, read with this weight): tests never see m = gate.</summary>
    public const double Offset = 0.5;
    /// <summary>G of the two-head models.</summary>
    public const double TwoHeadGap = 2;
    /// <summary>What the AND pair and the independent head of <see cref="AndPairPlusIndependent"/> are worth (gap 4).</summary>
    public const double AndPairGap = 3, IndependentGap = 1;
    /// <summary>
    /// Bound on the GELU tail relative to the gate's weight, for values and slopes: the value's tail
    /// is 3.9e-22 (class remarks), the slope's |gelu_new′(x) − 1| ≤ e^{−2u}(1 + 2√(2/π)|x|(1 + 0.134x²)) =
    /// 3.9e-22 · 123 = 4.8e-20 at x = 8 (u = 24.65), and at the inputs' slope 2·gelu_new′ twice that.
    /// </summary>
    public const double TailBound = 1e-19;
    public const int GateNeuronIndex = 0;

    /// <summary>Token ids: fillers 0, 1, 2, 7; the signal token off / on; the two answers.</summary>
    public const int SignalOff = 3, SignalOn = 4, Answer = 5, OtherAnswer = 6;

    /// <summary>Where the signal token sits in each prompt (clean and corrupted alike).</summary>
    public static IReadOnlyList<int> SignalPositions { get; } = [1, 2, 3];

    /// <summary><see cref="GateModel.MeanAblatedInput"/>: L·Σ_prompts Σ_{j ≥ p} 1/(j + 1) / (prompts · L) with z = σ/(j + 1).</summary>
    public static double MeanAblatedInput =>
        PromptLength * SignalPositions.Sum(p => Enumerable.Range(p, PromptLength - p).Sum(j => 1.0 / (j + 1))) / (PromptCount * PromptLength);

    /// <summary>Affine LayerNorm, GELU kept: the variant every gate model runs with.</summary>
    public static ForwardVariant Variant { get; } = new(NormaliseInLayerNorm: false, Gelu: true);

    public static Gpt2Config Config { get; } = new(NLayer: Layers, NHead: Heads, NEmbd: DModel, NPositions: 8, VocabSize: Vocabulary);

    // Residual dimensions.
    private const int Signal = 0, FirstInput = 1, GateOut = 4, OffsetDim = 5, Junk6 = 6, Junk7 = 7;

    // Clean prompts (fillers 0, 1, 2, 7; the signal token at SignalPositions 1, 2 and 3, so the shared prefix is 1 token).
    private static readonly int[][] CleanPrompts =
    [
        [0, SignalOn, 1, 2],
        [1, 7, SignalOn, 0],
        [2, 0, 7, SignalOn],
    ];

    /// <summary>The AND, OR or additive gate of L0H0 and L0H1; gap <see cref="TwoHeadGap"/>.</summary>
    public static GateModel TwoHeads(Gate gate, ScalarType dtype = ScalarType.Float64)
    {
        const double g = TwoHeadGap;
        return gate switch
        {
            Gate.And => Build("AND", gate, [0, 0], (0, 1), g, dtype),
            Gate.Or => Build("OR", gate, [g, g], (0, 1), -g, dtype),
            Gate.Additive => Build("additive", gate, [g / 2, g / 2], null, 0, dtype),
            _ => throw new ArgumentOutOfRangeException(nameof(gate)),
        };
    }

    /// <summary>
    /// One AND pair (L0H0, L0H1, worth <see cref="AndPairGap"/>) plus an independent additive head
    /// (L0H2, worth <see cref="IndependentGap"/>): gap 4. Issue 20's three-head model.
    /// </summary>
    public static GateModel AndPairPlusIndependent(ScalarType dtype = ScalarType.Float64) =>
        Build("AND pair + independent", null, [0, 0, IndependentGap], (0, 1), AndPairGap, dtype);

    /// <summary>AND(x, y) = gelu_new(k(x + y − 3/2))/(k/2).</summary>
    internal static double And(double x, double y) => Gelu(Sharpness * (x + y - 1.5)) / (Sharpness / 2);

    /// <summary>∂AND/∂x = ∂AND/∂y = 2·gelu_new′(k(x + y − 3/2)).</summary>
    internal static double AndSlope(double x, double y) => 2 * GeluSlope(Sharpness * (x + y - 1.5));

    private static readonly double C = Math.Sqrt(2 / Math.PI);

    /// <summary>gelu_new (GPT-2's tanh form), as libtorch's gelu(approximate: tanh) computes it.</summary>
    private static double Gelu(double x) => 0.5 * x * (1 + Math.Tanh(C * (x + 0.044715 * x * x * x)));

    private static double GeluSlope(double x)
    {
        double t = Math.Tanh(C * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * C * (1 + 3 * 0.044715 * x * x);
    }

    private static GateModel Build(string name, Gate? gate, double[] linear, (int A, int B)? andPair, double andWeight, ScalarType dtype)
    {
        int inputs = linear.Length, d = DModel, m = Config.DMlp;
        const double L = PromptLength;
        double k = Sharpness;

        var wte = new double[Vocabulary, d];
        wte[0, Junk6] = 1;
        wte[1, Junk7] = 1;
        wte[2, Junk6] = 0.5; wte[2, Junk7] = -1;
        wte[7, Junk6] = -1; wte[7, Junk7] = 0.25;
        wte[SignalOff, Junk7] = 0.75;
        wte[SignalOn, Signal] = 1; wte[SignalOn, Junk7] = 0.75;
        for (int i = 0; i < inputs; i++) wte[Answer, FirstInput + i] = linear[i];
        wte[Answer, GateOut] = andWeight;
        wte[Answer, OffsetDim] = Offset;
        // wte[OtherAnswer] = 0: m = logit(Answer) − 0.

        var wpe = new double[Config.NPositions, d];
        for (int j = 0; j < Config.NPositions; j++) wpe[j, Junk7] = (j + 1) / 8.0;

        // Layer 0: uniform attention (W_Q = W_K = 0); every head reads the signal into z_h[0].
        var wv0 = new double[d, d];
        var wo0 = new double[d, d];
        for (int h = 0; h < Heads; h++) wv0[Signal, h * DHead] = 1;
        for (int h = 0; h < inputs; h++) wo0[h * DHead, FirstInput + h] = L;       // h_h = L·z_h[last, 0] = σ
        for (int h = inputs; h < Heads; h++)
        {
            // Bystanders: they see the signal (and the last one the junk and positions too) and write junk.
            wo0[h * DHead, Junk6] = 1;
            wv0[Junk7, h * DHead + 1] = 1;
            wo0[h * DHead + 1, Junk7] = -0.5;
        }
        var win0 = new double[d, m];
        var bin0 = new double[m];
        var wout0 = new double[m, d];
        if (andPair is var (a, b))
        {
            win0[FirstInput + a, GateNeuronIndex] = k;
            win0[FirstInput + b, GateNeuronIndex] = k;
            bin0[GateNeuronIndex] = -1.5 * k;
            wout0[GateNeuronIndex, GateOut] = 2 / k;
        }

        // Layer 1: bystanders all. Heads attend by the inputs and the junk, read the gate's inputs and
        // output, write junk; b_O writes the offset's 1; MLP neuron 0 reads the gate output, writes junk.
        var wq1 = new double[d, d];
        var wk1 = new double[d, d];
        var wv1 = new double[d, d];
        var wo1 = new double[d, d];
        for (int h = 0; h < Heads; h++)
        {
            wq1[FirstInput, h * DHead] = h + 1;
            wk1[FirstInput + 1, h * DHead] = 1;
            wq1[Junk7, h * DHead + 1] = 0.5;
            wk1[Junk6, h * DHead + 1] = h - 1.5;
            wv1[FirstInput, h * DHead] = 1;
            wv1[GateOut, h * DHead + 1] = 1;
            wo1[h * DHead, Junk6] = 1;
            wo1[h * DHead + 1, Junk7] = -1;
        }
        var bo1 = new double[d];
        bo1[OffsetDim] = 1;
        var win1 = new double[d, m];
        var bin1 = new double[m];
        var wout1 = new double[m, d];
        win1[GateOut, 0] = 1;
        bin1[0] = 0.25;
        wout1[0, Junk6] = 1;

        Tensor T(Array values)
        {
            var shape = Enumerable.Range(0, values.Rank).Select(r => (long)values.GetLength(r)).ToArray();
            using var float64 = tensor(values.Cast<double>().ToArray(), shape);
            return float64.to(dtype).DetachFromDisposeScope();
        }
        Tensor Ones() => T(Enumerable.Repeat(1.0, d).ToArray());
        Tensor Zeros(params int[] shape) => T(Array.CreateInstance(typeof(double), shape));

        var blocks = new List<BlockWeights>
        {
            new(Ones(), Zeros(d), Zeros(d, d), Zeros(d, d), T(wv0), Zeros(d), Zeros(d), Zeros(d), T(wo0), Zeros(d),
                Ones(), Zeros(d), T(win0), T(bin0), T(wout0), Zeros(d)),
            new(Ones(), Zeros(d), T(wq1), T(wk1), T(wv1), Zeros(d), Zeros(d), Zeros(d), T(wo1), T(bo1),
                Ones(), Zeros(d), T(win1), T(bin1), T(wout1), Zeros(d)),
        };
        var weights = new Gpt2Weights
        {
            Config = Config,
            TokenEmbedding = T(wte),
            PositionEmbedding = T(wpe),
            Blocks = blocks,
            LnFinalWeight = Ones(),
            LnFinalBias = Zeros(d),
        };

        for (int i = 0; i < PromptCount; i++)
            if (CleanPrompts[i].Length != PromptLength || Array.IndexOf(CleanPrompts[i], SignalOn) != SignalPositions[i])
                throw new InvalidOperationException($"gate prompt {i} does not match SignalPositions and PromptLength");
        var model = new HookedGpt2(weights, Variant);
        var clean = TokenBatch.FromIds(CleanPrompts, padId: 0);
        var corrupted = TokenBatch.FromIds(CleanPrompts.Select(p => p.Select(t => t == SignalOn ? SignalOff : t).ToArray()).ToArray(), padId: 0);
        var metric = new PromptMetric((logits, _) => logits.select(1, Answer) - logits.select(1, OtherAnswer));
        var inputHeads = Enumerable.Range(0, inputs).Select(h => new Target(0, TargetSpace.Head, h)).ToList();
        var bystanders = Enumerable.Range(inputs, Heads - inputs).Select(h => new Target(0, TargetSpace.Head, h))
            .Concat(Enumerable.Range(0, Heads).Select(h => new Target(1, TargetSpace.Head, h))).ToList();
        return new GateModel(name, gate, model, clean, corrupted, metric, inputHeads, bystanders, linear, andPair, andWeight);
    }
}
