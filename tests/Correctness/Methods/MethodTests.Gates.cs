using Concord.Methods.Attribution;
using Concord.Methods.Targets;
using Concord.Methods.Quadrature;
using Concord.Methods.Results;
using Concord.Model;
using Concord.Tasks;
using NUnit.Framework;
using static TorchSharp.torch;

namespace Concord.Tests.Correctness.Methods;

public partial class MethodTests
{
    /// <summary>
    /// Known truth: on the hand-built AND, OR and additive gates (tests/Support/Models/GateModels.cs)
    /// every method's answer is analytic. Noising misses OR inputs, denoising misses AND inputs, IG
    /// credits each input half the gap in both directions, bystanders get 0 from every method. Every
    /// assertion is against a value derived from the construction, never against another method.
    /// </summary>
    [TestFixture]
    public sealed class Gates
    {
        private static readonly Gate[] TwoHeadGates = Enum.GetValues<Gate>();
        private static readonly Direction[] Directions = Enum.GetValues<Direction>();

        /// <summary>
        /// float64 round-off, relative to the gap. The metric is a sum of dyadic values (h = 1 or 0,
        /// weights G, G/2, 2/k, offset 1/2) that float64 represents exactly; what is not exact is
        /// tanh in the GELU (saturated to 1 at |x| ≥ 8 up to an ulp) and, off the metric's path, layer
        /// 1's softmax. A few ulps (≈ 1e-15) come out; 1e-12 leaves three orders of margin and still
        /// fails on any error of the construction or a method.
        /// </summary>
        private const double RoundOff = 1e-12;

        /// <summary>AP's analytic values hold up to the GELU tail (<see cref="GateModels.TailBound"/>, 1e-19) plus round-off.</summary>
        private const double ApTolerance = RoundOff + GateModels.TailBound;

        /// <summary>
        /// IG's Gauss–Legendre nodes. The integrand along the path is ∂m/∂h = 2w·gelu_new′(k(2h − 3/2))
        /// with k = 16, a smoothed step at α = 1/4 (or 3/4) of width ~1/(2k). Its n-node quadrature error,
        /// relative to the gap, measured on the scalar integrand: 4.1e-2 (16), 7.4e-5 (32), 1.9e-7 (50),
        /// 2.0e-10 (64), a geometric rate e^{−0.4n} (Bernstein ellipse of the tanh's complex poles at
        /// distance ~1/k), so ≈ 1e-21 at 128 and round-off in practice (measured ≤ 7e-16).
        /// <see cref="TheGateIntegrandsQuadratureErrorIsWithinItsBound"/> checks the bound on the construction's own integrand.
        /// </summary>
        private const int IgNodes = 128;
        private const double QuadratureError = 1e-14;
        private const double IgTolerance = QuadratureError + RoundOff;

        private static GateModel[] EveryModel() =>
            [.. TwoHeadGates.Select(g => GateModels.TwoHeads(g)), GateModels.AndPairPlusIndependent()];

        private static AttributionContext Context(GateModel model, Direction direction, bool gradientAtBase = false) =>
            AttributionContext.Create(model.Model, model.Clean, model.Corrupted, model.Metric, [TargetSpace.Head],
                new AttributionOptions { Direction = direction }, gradientAtBase);

        private static double[] Scores(ScoreSet set, Target component) =>
            Enumerable.Range(0, set.Prompts).Select(b => set.Select([component])[b, 0]).ToArray();

        private static void AssertEvery(double[] values, double expected, double tolerance, string what)
        {
            for (int b = 0; b < values.Length; b++)
                Assert.That(values[b], Is.EqualTo(expected).Within(tolerance), $"{what}, prompt {b}");
        }

        private static double[] Metric(GateModel model, TokenBatch tokens)
        {
            using var scope = NewDisposeScope();
            return model.Metric.EvaluateBatch(model.Model.Run(tokens.Tokens, readPositions: tokens.LastPositions)).ToDoubles();
        }

        [Test]
        public void TheGapIsAnalyticOnEveryPrompt()
        {
            var expectedGaps = new Dictionary<string, double>
            {
                ["AND"] = GateModels.TwoHeadGap, ["OR"] = GateModels.TwoHeadGap, ["additive"] = GateModels.TwoHeadGap,
                ["AND pair + independent"] = GateModels.AndPairGap + GateModels.IndependentGap,
            };
            foreach (var model in EveryModel())
                using (model)
                {
                    double gap = expectedGaps[model.Name];
                    Assert.That(model.Gap, Is.EqualTo(gap).Within(ApTolerance * gap), $"{model}: analytic gap");
                    var clean = Metric(model, model.Clean);
                    var corrupted = Metric(model, model.Corrupted);
                    Assert.That(clean, Has.Length.EqualTo(GateModels.PromptCount));
                    for (int b = 0; b < clean.Length; b++)
                    {
                        Assert.That(corrupted[b], Is.EqualTo(GateModels.Offset).Within(ApTolerance * gap), $"{model}: m(corrupted), prompt {b}");
                        Assert.That(clean[b] - corrupted[b], Is.EqualTo(gap).Within(ApTolerance * gap), $"{model}: m(clean) − m(corrupted), prompt {b}");
                    }
                }
        }

        /// <summary>The construction as stated: uniform layer-0 attention, and each input's z[last, 0] = σ/L, σ = 1 clean, 0 corrupted.</summary>
        [Test]
        public void TheInputHeadsCarryTheSignalAtTheLastPosition()
        {
            using var model = GateModels.AndPairPlusIndependent();
            using var scope = NewDisposeScope();
            foreach (var (tokens, signal) in new[] { (model.Clean, 1.0), (model.Corrupted, 0.0) })
            {
                using var cache = ActivationCache.Of(HookPoint.Z(0), HookPoint.Pattern(0));
                model.Model.Run(tokens.Tokens, cache: cache).Dispose();
                var pattern = cache[HookPoint.Pattern(0)];                  // [b, head, q, k]
                for (int q = 0; q < GateModels.PromptLength; q++)
                    for (int key = 0; key < GateModels.PromptLength; key++)
                    {
                        double expected = key <= q ? 1.0 / (q + 1) : 0;
                        Assert.That(pattern[.., .., q, key].ToDoubles(), Has.All.EqualTo(expected).Within(RoundOff), $"pattern q {q} k {key}");
                    }
                var z = cache[HookPoint.Z(0)];                              // [b, pos, head, d_head]
                foreach (var input in model.Inputs)
                {
                    Assert.That(z[.., GateModels.PromptLength - 1, input.Index, 0].ToDoubles(),
                        Has.All.EqualTo(signal / GateModels.PromptLength).Within(RoundOff), $"{input} σ = {signal}");
                    // Mean ablation's value: L × the mean over every position of the clean prompts.
                    if (signal == 1)
                        Assert.That(GateModels.PromptLength * z[.., .., input.Index, 0].mean().item<double>(),
                            Is.EqualTo(23.0 / 36).Within(RoundOff).And.EqualTo(model.MeanAblatedInput).Within(RoundOff), $"{input}: mean-ablated input");
                }
            }
        }

        /// <summary>
        /// The analytic truth the interventions tests read (<see cref="GateModel.PatchedMetric"/>) is the
        /// model's: every subset of the input heads and one bystander (and the gate neuron) patched at
        /// once through hooks, in both directions, gives the metric the API states.
        /// </summary>
        [Test]
        public void PatchedMetricIsWhatTheModelComputesForEverySet()
        {
            foreach (var model in EveryModel())
                using (model)
                foreach (var direction in Directions)
                {
                    var (baseTokens, otherTokens) = direction == Direction.Noising ? (model.Clean, model.Corrupted) : (model.Corrupted, model.Clean);
                    using var other = ActivationCache.Of(HookPoint.Z(0), HookPoint.MlpPost(0));
                    model.Model.Run(otherTokens.Tokens, cache: other).Dispose();
                    var candidates = model.Inputs.Append(model.Bystanders[0]).ToList();
                    if (model.GateNeuron is Target neuron) candidates.Add(neuron);
                    for (int mask = 0; mask < 1 << candidates.Count; mask++)
                    {
                        var set = candidates.Where((_, i) => (mask >> i & 1) == 1).ToList();
                        var hooks = new HookSet();
                        var heads = set.Where(c => c.Space == TargetSpace.Head).ToList();
                        var neurons = set.Where(c => c.Space == TargetSpace.Neuron).ToList();
                        hooks.Add(HookPoint.Z(0), (v, _) =>
                        {
                            var patched = v.clone();
                            foreach (var c in heads) patched[.., .., c.Index] = other[HookPoint.Z(0)][.., .., c.Index];
                            return patched;
                        });
                        hooks.Add(HookPoint.MlpPost(0), (v, _) =>
                        {
                            var patched = v.clone();
                            foreach (var c in neurons) patched[.., .., c.Index] = other[HookPoint.MlpPost(0)][.., .., c.Index];
                            return patched;
                        });
                        using var scope = NewDisposeScope();
                        var measured = model.Metric.EvaluateBatch(model.Model.Run(baseTokens.Tokens, hooks, readPositions: baseTokens.LastPositions)).ToDoubles();
                        double expected = model.PatchedMetric(direction, set);
                        AssertEvery(measured, expected, ApTolerance * model.Gap, $"{model} {direction.Id()} {{{string.Join(", ", set)}}}");
                    }
                }
        }

        /// <summary>AP of each input, per gate and direction, from the truth table (and the API says the same).</summary>
        [TestCase(Gate.And, Direction.Noising, -1.0)]   // AND noising: each input alone loses the whole gap
        [TestCase(Gate.And, Direction.Denoising, 0.0)]   // AND denoising: one input alone restores nothing
        [TestCase(Gate.Or, Direction.Noising, 0.0)]   // OR noising: the other input still carries it
        [TestCase(Gate.Or, Direction.Denoising, 1.0)]   // OR denoising: one input alone restores the whole gap
        [TestCase(Gate.Additive, Direction.Noising, -0.5)]   // Additive noising: each input loses half
        [TestCase(Gate.Additive, Direction.Denoising, 0.5)]   // Additive denoising: each input restores half
        public void ActivationPatchingOfEachInputIsTheTruthTable(Gate gate, Direction direction, double shareOfGap)
        {
            using var model = GateModels.TwoHeads(gate);
            using var context = Context(model, direction);
            var ap = new ActivationPatching().Attribute(context, TargetSpace.Head).Scores;
            double expected = shareOfGap * GateModels.TwoHeadGap;
            foreach (var input in model.Inputs)
            {
                AssertEvery(Scores(ap, input), expected, ApTolerance * model.Gap, $"{model} AP {direction.Id()} {input}");
                Assert.That(model.PatchedMetric(direction, input) - model.PatchedMetric(direction), Is.EqualTo(expected).Within(ApTolerance * model.Gap), "the API's E({c})");
            }
        }

        /// <summary>
        /// The models in float32 keep the truth table: every value they compute is a float32-exact
        /// dyadic number except the saturated tanh (an ulp, 6e-8), so 1e-6 of the gap.
        /// </summary>
        [Test]
        public void TheFloat32ModelsKeepTheTruthTable([ValueSource(nameof(TwoHeadGates))] Gate gate)
        {
            const double float32RoundOff = 1e-6;
            using var model = GateModels.TwoHeads(gate, ScalarType.Float32);
            Assert.That(model.Model.DType, Is.EqualTo(ScalarType.Float32));
            foreach (var direction in Directions)
            {
                using var context = Context(model, direction);
                var ap = new ActivationPatching().Attribute(context, TargetSpace.Head).Scores;
                foreach (var input in model.Inputs)
                    AssertEvery(Scores(ap, input), model.PatchedMetric(direction, input) - model.PatchedMetric(direction),
                        float32RoundOff * model.Gap, $"{model} float32 AP {direction.Id()} {input}");
            }
        }

        /// <summary>
        /// A_c = n_c − d_c with n_c = −AP_noise/G and d_c = AP_denoise/G (DESIGN.md §10): AND → +1, OR →
        /// −1, additive → 0; and the pair's interaction I = n_ij − n_i − n_j from the API's joint noising:
        /// AND −1, OR +1, additive 0.
        /// </summary>
        [TestCase(Gate.And, 1.0, -1.0)]
        [TestCase(Gate.Or, -1.0, 1.0)]
        [TestCase(Gate.Additive, 0.0, 0.0)]
        public void AsymmetryAndInteractionOfTheInputsAreAnalytic(Gate gate, double asymmetry, double interaction)
        {
            using var model = GateModels.TwoHeads(gate);
            using var noising = Context(model, Direction.Noising);
            using var denoising = Context(model, Direction.Denoising);
            var apNoise = new ActivationPatching().Attribute(noising, TargetSpace.Head).Scores;
            var apDenoise = new ActivationPatching().Attribute(denoising, TargetSpace.Head).Scores;
            foreach (var input in model.Inputs)
            {
                var n = Scores(apNoise, input).Select(v => -v / model.Gap).ToArray();
                var d = Scores(apDenoise, input).Select(v => v / model.Gap).ToArray();
                AssertEvery(n.Zip(d, (x, y) => x - y).ToArray(), asymmetry, 2 * ApTolerance, $"{model} A({input})");
            }
            double N(params Target[] set) => -(model.PatchedMetric(Direction.Noising, set) - model.PatchedMetric(Direction.Noising)) / model.Gap;
            var (i, j) = (model.Inputs[0], model.Inputs[1]);
            Assert.That(N(i, j) - N(i) - N(j), Is.EqualTo(interaction).Within(3 * ApTolerance), $"{model} I({i}, {j})");
        }

        /// <summary>
        /// IG moves both inputs at once, so it credits each half of F(a') − F(a) in either direction (the
        /// gate is symmetric in its inputs and the path runs along the diagonal), and its normalised
        /// scores IG/(F(a') − F(a)) are 1/2 in both directions; within the quadrature error and round-off.
        /// </summary>
        [Test]
        public void IntegratedGradientsGivesEachInputHalfTheGapInBothDirections([ValueSource(nameof(TwoHeadGates))] Gate gate)
        {
            using var model = GateModels.TwoHeads(gate);
            var normalised = new Dictionary<Direction, double[][]>();
            foreach (var direction in Directions)
            {
                using var context = Context(model, direction);
                var ig = new IntegratedGradients(IgSettings.FixedNodes(IgNodes)).Attribute(context, TargetSpace.Head).Scores;
                double sign = direction == Direction.Noising ? -1 : 1;
                var change = context.OtherMetric.ToDoubles().Zip(context.BaseMetric.ToDoubles(), (o, b) => o - b).ToArray();
                AssertEvery(change, sign * model.Gap, ApTolerance * model.Gap, $"{model} F(a') − F(a) {direction.Id()}");
                normalised[direction] = model.Inputs.Select(input =>
                {
                    var scores = Scores(ig, input);
                    AssertEvery(scores, sign * model.Gap / 2, IgTolerance * model.Gap, $"{model} IG {direction.Id()} {input}");
                    return scores.Zip(change, (s, c) => s / c).ToArray();
                }).ToArray();
                foreach (var row in normalised[direction]) AssertEvery(row, 0.5, 2 * IgTolerance, $"{model} normalised IG {direction.Id()}");
            }
            for (int i = 0; i < model.Inputs.Count; i++)
                for (int b = 0; b < GateModels.PromptCount; b++)
                    Assert.That(normalised[Direction.Noising][i][b], Is.EqualTo(normalised[Direction.Denoising][i][b]).Within(4 * IgTolerance),
                        $"{model} {model.Inputs[i]}: normalised IG noising vs denoising, prompt {b}");
        }

        /// <summary>
        /// At any node count IG is exactly (to round-off) the quadrature of the analytic integrand
        /// Δh_i·∂m/∂h_i(h(α)), h(α) = h_base + α(h_other − h_base): at 8 nodes that is far from G/2 on the
        /// sharp AND (the rule, not the method, is off), at 128 it is G/2.
        /// </summary>
        [Test]
        public void IntegratedGradientsIsTheQuadratureOfTheAnalyticGradient([Values(8, 50, IgNodes)] int nodes)
        {
            var rule = QuadraturePoints.For(QuadratureRule.GaussLegendre, nodes);
            foreach (var model in EveryModel())
                using (model)
                foreach (var direction in Directions)
                {
                    using var context = Context(model, direction);
                    var ig = IntegratedGradients.Layer(context, TargetSpace.Head, 0, rule).Scores;
                    double start = direction == Direction.Noising ? 1 : 0, delta = 1 - 2 * start;
                    for (int i = 0; i < model.Inputs.Count; i++)
                    {
                        double expected = 0;
                        for (int j = 0; j < rule.Count; j++)
                            expected += rule.Weights[j] * delta * model.GradientAt(Enumerable.Repeat(start + rule.Nodes[j] * delta, model.Inputs.Count).ToArray())[i];
                        AssertEvery(Scores(ig, model.Inputs[i]), expected, RoundOff * model.Gap, $"{model} IG×{nodes} {direction.Id()} {model.Inputs[i]}");
                    }
                }
        }

        /// <summary>
        /// The quadrature bound the IG tests rely on, on the construction's own integrand: the
        /// completeness error |Σ_j w_j Σ_i Δh_i ∂m/∂h_i(h(α_j)) − (m(end) − m(start))| of the scalar path
        /// with <see cref="IgNodes"/> Gauss–Legendre nodes is within <see cref="QuadratureError"/> × G; at
        /// 50 nodes (captum's default) it is not (1.9e-7 measured), so the bound is not vacuous.
        /// </summary>
        [Test]
        public void TheGateIntegrandsQuadratureErrorIsWithinItsBound()
        {
            foreach (var model in EveryModel())
                using (model)
                foreach (var direction in Directions)
                {
                    double Error(int n)
                    {
                        var rule = QuadraturePoints.For(QuadratureRule.GaussLegendre, n);
                        double start = direction == Direction.Noising ? 1 : 0, delta = 1 - 2 * start, total = 0;
                        for (int j = 0; j < rule.Count; j++)
                            total += rule.Weights[j] * delta * model.GradientAt(Enumerable.Repeat(start + rule.Nodes[j] * delta, model.Inputs.Count).ToArray()).Sum();
                        var ends = new[] { start, start + delta }.Select(h => model.MetricAt(Enumerable.Repeat(h, model.Inputs.Count).ToArray())).ToArray();
                        return Math.Abs(total - (ends[1] - ends[0])) / model.Gap;
                    }
                    TestContext.Out.WriteLine($"{model} {direction.Id()}: quadrature error 50 nodes {Error(50):E1}, {IgNodes} nodes {Error(IgNodes):E1}");
                    Assert.That(Error(IgNodes), Is.LessThanOrEqualTo(QuadratureError), $"{model} {direction.Id()}");
                    if (model.Gate != Gate.Additive) Assert.That(Error(50), Is.GreaterThan(QuadratureError), $"{model} {direction.Id()}: 50 nodes");
                }
        }

        /// <summary>
        /// AtP reads the gradient at the base point, where the gate is saturated: on AND it doubles the
        /// noising effect (∂m/∂h_i = 2G·gelu_new′(k/2) ≈ 2G) and sees nothing denoising (gelu_new′(−3k/2) ≈ 0);
        /// on OR it gets the noising sign wrong (∂m/∂h_i = G − 2G = −G, so AtP = +G) and denoising right (+G);
        /// additive is linear, so AtP = AP = ∓G/2. Up to the GELU slope's tail and round-off.
        /// </summary>
        [TestCase(Gate.And, Direction.Noising, -2.0)]
        [TestCase(Gate.And, Direction.Denoising, 0.0)]
        [TestCase(Gate.Or, Direction.Noising, 1.0)]
        [TestCase(Gate.Or, Direction.Denoising, 1.0)]
        [TestCase(Gate.Additive, Direction.Noising, -0.5)]
        [TestCase(Gate.Additive, Direction.Denoising, 0.5)]
        public void AttributionPatchingReadsTheSaturatedGradient(Gate gate, Direction direction, double shareOfGap)
        {
            using var model = GateModels.TwoHeads(gate);
            using var context = Context(model, direction, gradientAtBase: true);
            var atp = new AttributionPatching().Attribute(context, TargetSpace.Head).Scores;
            foreach (var input in model.Inputs)
                AssertEvery(Scores(atp, input), shareOfGap * model.Gap, ApTolerance * model.Gap, $"{model} AtP {direction.Id()} {input}");
        }

        /// <summary>
        /// Bystander heads score 0 under every method (AP, IG, AtP and the naive references), although
        /// their activations differ between the runs (layer 0's read the signal, layer 1's the gate).
        /// </summary>
        [Test]
        public void BystandersScoreZeroUnderEveryMethod()
        {
            foreach (var model in EveryModel())
                using (model)
                foreach (var direction in Directions)
                {
                    using var context = Context(model, direction);
                    foreach (var layer in new[] { 0, 1 })
                    {
                        var layout = new ComponentLayout(TargetSpace.Head, model.Model.Config);
                        using var delta = context.OtherActivation(layout, layer) - context.BaseActivation(layout, layer);
                        foreach (var bystander in model.Bystanders.Where(c => c.Layer == layer))
                            Assert.That(delta[.., .., bystander.Index].abs().max().item<double>(), Is.GreaterThan(0.01), $"{model}: {bystander}'s activation changes");
                    }
                    foreach (var create in EveryMethod)
                    {
                        var method = create();
                        var scores = method.Attribute(context, TargetSpace.Head).Scores;
                        foreach (var bystander in model.Bystanders)
                            AssertEvery(Scores(scores, bystander), 0, RoundOff * model.Gap, $"{model} {method.GetType().Name} {direction.Id()} {bystander}");
                    }
                }
        }

        /// <summary>
        /// Issue 20's three-head model, head by head: the AND pair (worth G_and = 3 of G = 4) loses its
        /// whole share when either is noised and restores nothing alone (n = 3/4, d = 0, A = 3/4: AND-like);
        /// the independent head (worth 1) loses and restores its own quarter (n = d = 1/4, A = 0:
        /// additive). IG gives the pair 3/8 of the gap each and the independent head 1/4, in both directions.
        /// </summary>
        [Test]
        public void TheAndPairPlusAnIndependentHeadIsClassifiedHeadByHead()
        {
            using var model = GateModels.AndPairPlusIndependent();
            double g = model.Gap, and = GateModels.AndPairGap / g, independent = GateModels.IndependentGap / g;
            (double N, double D, double Ig)[] expected = [(and, 0.0, and / 2), (and, 0.0, and / 2), (independent, independent, independent)];
            var share = new Dictionary<Direction, (double[] Ap, double[] Ig)[]>();
            foreach (var direction in Directions)
            {
                using var context = Context(model, direction);
                var ap = new ActivationPatching().Attribute(context, TargetSpace.Head).Scores;
                var ig = new IntegratedGradients(IgSettings.FixedNodes(IgNodes)).Attribute(context, TargetSpace.Head).Scores;
                double sign = direction == Direction.Noising ? -1 : 1;
                // Shares of the gap: n = −AP_noise/G, d = AP_denoise/G; IG normalised by F(a') − F(a) = ∓G.
                share[direction] = model.Inputs.Select(c => (Scores(ap, c).Select(v => sign * v / g).ToArray(), Scores(ig, c).Select(v => sign * v / g).ToArray())).ToArray();
            }
            for (int i = 0; i < model.Inputs.Count; i++)
            {
                var what = $"{model} {model.Inputs[i]}";
                var (n, d, igShare) = expected[i];
                AssertEvery(share[Direction.Noising][i].Ap, n, ApTolerance, $"{what}: n");
                AssertEvery(share[Direction.Denoising][i].Ap, d, ApTolerance, $"{what}: d");
                AssertEvery(share[Direction.Noising][i].Ap.Zip(share[Direction.Denoising][i].Ap, (x, y) => x - y).ToArray(), n - d, 2 * ApTolerance, $"{what}: A");
                AssertEvery(share[Direction.Noising][i].Ig, igShare, IgTolerance, $"{what}: IG noising");
                AssertEvery(share[Direction.Denoising][i].Ig, igShare, IgTolerance, $"{what}: IG denoising");
            }
            Assert.That(expected[0].N - expected[0].D, Is.GreaterThanOrEqualTo(0.5), "the pair is an AND candidate (|A| ≥ 0.5)");
            Assert.That(expected[2].N - expected[2].D, Is.Zero, "the independent head is additive");
        }
    }
}
