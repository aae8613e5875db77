using Concord.Model;

namespace Concord.Tests.Correctness;

/// <summary>
/// A second, deliberately plain reading of GPT-2: double-precision arrays and loops, no TorchSharp,
/// written from the HF definition (pre-LN blocks, Conv1D [in, out] weights, tanh GELU, tied
/// unembedding). HookedGpt2 is tested against it, hook by hook.
/// </summary>
public sealed class ReferenceGpt2
{
    private readonly Gpt2Config _c;
    private readonly Func<string, double[]> _w;
    private readonly Dictionary<string, double[]> _memo = new();

    public ReferenceGpt2(Gpt2Config config, string safetensorsPath)
    {
        _c = config;
        var file = SafetensorsFile.Open(safetensorsPath);
        string prefix = file.Entries.Keys.Any(k => k.StartsWith("transformer.")) ? "transformer." : "";
        _w = key => _memo.TryGetValue(key, out var v) ? v : _memo[key] = file.ReadDoubles(prefix + key);
    }

    /// <summary>Runs one prompt; returns every hook's value (flattened, batch axis dropped) and the logits [pos, vocab].</summary>
    public (Dictionary<HookPoint, double[]> Hooks, double[] Logits) Run(int[] tokens)
    {
        int n = tokens.Length, d = _c.NEmbd, h = _c.NHead, dh = _c.DHead, m = _c.DMlp;
        var hooks = new Dictionary<HookPoint, double[]>();
        var wte = _w("wte.weight");
        var wpe = _w("wpe.weight");
        var embed = new double[n * d];
        var pos = new double[n * d];
        for (int t = 0; t < n; t++)
            for (int i = 0; i < d; i++)
            {
                embed[t * d + i] = wte[tokens[t] * d + i];
                pos[t * d + i] = wpe[t * d + i];
            }
        hooks[HookPoint.Embed] = embed;
        hooks[HookPoint.PosEmbed] = pos;
        var resid = Add(embed, pos);

        for (int l = 0; l < _c.NLayer; l++)
        {
            string p = $"h.{l}.";
            hooks[HookPoint.ResidPre(l)] = resid;
            var x = LayerNorm(resid, n, d, _w(p + "ln_1.weight"), _w(p + "ln_1.bias"));
            var qkv = Linear(x, n, d, 3 * d, _w(p + "attn.c_attn.weight"), _w(p + "attn.c_attn.bias"));
            var q = new double[n * d];
            var k = new double[n * d];
            var v = new double[n * d];
            for (int t = 0; t < n; t++)
                for (int i = 0; i < d; i++)
                {
                    q[t * d + i] = qkv[t * 3 * d + i];
                    k[t * d + i] = qkv[t * 3 * d + d + i];
                    v[t * d + i] = qkv[t * 3 * d + 2 * d + i];
                }
            hooks[HookPoint.Q(l)] = q; // [pos, head, d_head] is the same memory order as [pos, d]
            hooks[HookPoint.K(l)] = k;
            hooks[HookPoint.V(l)] = v;

            var pattern = new double[h * n * n];
            var z = new double[n * d];
            for (int head = 0; head < h; head++)
                for (int qi = 0; qi < n; qi++)
                {
                    double max = double.NegativeInfinity;
                    var scores = new double[qi + 1];
                    for (int ki = 0; ki <= qi; ki++)
                    {
                        double s = 0;
                        for (int e = 0; e < dh; e++) s += q[qi * d + head * dh + e] * k[ki * d + head * dh + e];
                        scores[ki] = s / Math.Sqrt(dh);
                        max = Math.Max(max, scores[ki]);
                    }
                    double sum = 0;
                    for (int ki = 0; ki <= qi; ki++) sum += scores[ki] = Math.Exp(scores[ki] - max);
                    for (int ki = 0; ki <= qi; ki++)
                    {
                        double a = scores[ki] / sum;
                        pattern[(head * n + qi) * n + ki] = a;
                        for (int e = 0; e < dh; e++) z[qi * d + head * dh + e] += a * v[ki * d + head * dh + e];
                    }
                }
            hooks[HookPoint.Pattern(l)] = pattern;
            hooks[HookPoint.Z(l)] = z;
            var attnOut = Linear(z, n, d, d, _w(p + "attn.c_proj.weight"), _w(p + "attn.c_proj.bias"));
            hooks[HookPoint.AttnOut(l)] = attnOut;
            var residMid = Add(resid, attnOut);
            hooks[HookPoint.ResidMid(l)] = residMid;
            var x2 = LayerNorm(residMid, n, d, _w(p + "ln_2.weight"), _w(p + "ln_2.bias"));
            hooks[HookPoint.MlpIn(l)] = x2;
            var pre = Linear(x2, n, d, m, _w(p + "mlp.c_fc.weight"), _w(p + "mlp.c_fc.bias"));
            hooks[HookPoint.MlpPre(l)] = pre;
            var post = pre.Select(GeluNew).ToArray();
            hooks[HookPoint.MlpPost(l)] = post;
            var mlpOut = Linear(post, n, m, d, _w(p + "mlp.c_proj.weight"), _w(p + "mlp.c_proj.bias"));
            hooks[HookPoint.MlpOut(l)] = mlpOut;
            resid = Add(residMid, mlpOut);
            hooks[HookPoint.ResidPost(l)] = resid;
        }

        var final = LayerNorm(resid, n, d, _w("ln_f.weight"), _w("ln_f.bias"));
        int vocab = _c.VocabSize;
        var logits = new double[n * vocab];
        for (int t = 0; t < n; t++)
            for (int tok = 0; tok < vocab; tok++)
            {
                double s = 0;
                for (int i = 0; i < d; i++) s += final[t * d + i] * wte[tok * d + i];
                logits[t * vocab + tok] = s;
            }
        return (hooks, logits);
    }

    /// <summary>GELU, tanh approximation: 0.5 x (1 + tanh(√(2/π)(x + 0.044715 x³))).</summary>
    public static double GeluNew(double x) => 0.5 * x * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));

    private static double[] Add(double[] a, double[] b) => a.Zip(b, (x, y) => x + y).ToArray();

    private double[] LayerNorm(double[] x, int n, int d, double[] g, double[] b)
    {
        var y = new double[n * d];
        for (int t = 0; t < n; t++)
        {
            double mean = 0, var = 0;
            for (int i = 0; i < d; i++) mean += x[t * d + i];
            mean /= d;
            for (int i = 0; i < d; i++) var += (x[t * d + i] - mean) * (x[t * d + i] - mean);
            var /= d; // biased variance, as torch.nn.LayerNorm
            double inv = 1 / Math.Sqrt(var + _c.LayerNormEpsilon);
            for (int i = 0; i < d; i++) y[t * d + i] = (x[t * d + i] - mean) * inv * g[i] + b[i];
        }
        return y;
    }

    private static double[] Linear(double[] x, int n, int din, int dout, double[] w, double[] b)
    {
        var y = new double[n * dout];
        for (int t = 0; t < n; t++)
            for (int o = 0; o < dout; o++)
            {
                double s = b[o];
                for (int i = 0; i < din; i++) s += x[t * din + i] * w[i * dout + o];
                y[t * dout + o] = s;
            }
        return y;
    }
}
