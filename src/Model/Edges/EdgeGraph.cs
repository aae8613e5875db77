using static TorchSharp.torch;

namespace Concord.Model.Edges;

/// <summary>
/// The computational graph EAP-IG and MIB score (hannamw/EAP-IG's <c>Graph.from_model</c>): every
/// sender → receiver pair where the sender is upstream of the receiver. Senders are numbered in
/// forward order (input, then each layer's heads and its MLP), so a receiver's senders are always a
/// prefix of that order: the first <see cref="SendersInto"/> of them. Edges are numbered receiver by
/// receiver (receivers in forward order), each receiver's in-edges in sender order; one receiver's
/// edges are therefore contiguous, which is how exact patching stacks them.
/// </summary>
public sealed class EdgeGraph
{
    public int Layers { get; }
    public int Heads { get; }

    /// <summary>Senders in forward order: input, a0.h0 … a0.h{H−1}, m0, a1.h0, …</summary>
    public IReadOnlyList<Sender> Senders { get; }

    /// <summary>Receivers in forward order: layer 0's q inputs (heads 0…H−1), k inputs, v inputs, m0, layer 1's …, logits.</summary>
    public IReadOnlyList<Receiver> Receivers { get; }

    public int EdgeCount { get; }

    private readonly int[] _edgeOffset;
    private readonly Dictionary<string, int> _senderByName, _receiverByName;

    public EdgeGraph(int layers, int heads)
    {
        if (layers < 1 || heads < 1) throw new ArgumentOutOfRangeException(nameof(layers), "a graph needs at least one layer and one head");
        Layers = layers;
        Heads = heads;
        var senders = new List<Sender> { Sender.Input };
        var receivers = new List<Receiver>();
        for (int l = 0; l < layers; l++)
        {
            for (int h = 0; h < heads; h++) senders.Add(new Sender(SenderKind.Head, l, h));
            senders.Add(new Sender(SenderKind.Mlp, l));
            foreach (var input in new[] { ReceiverInput.Q, ReceiverInput.K, ReceiverInput.V })
                for (int h = 0; h < heads; h++) receivers.Add(new Receiver(ReceiverKind.Head, l, h, input));
            receivers.Add(new Receiver(ReceiverKind.Mlp, l));
        }
        receivers.Add(Receiver.Logits);
        Senders = senders;
        Receivers = receivers;
        _edgeOffset = new int[receivers.Count + 1];
        for (int r = 0; r < receivers.Count; r++) _edgeOffset[r + 1] = _edgeOffset[r] + SendersInto(r);
        EdgeCount = _edgeOffset[^1];
        _senderByName = senders.Select((s, i) => (s.Name, i)).ToDictionary(x => x.Name, x => x.i);
        _receiverByName = receivers.Select((r, i) => (r.Name, i)).ToDictionary(x => x.Name, x => x.i);
    }

    public static EdgeGraph Of(Gpt2Config config) => new(config.NLayer, config.NHead);

    /// <summary>Σ_l [3H(1 + l(H+1)) + 1 + l(H+1) + H] + 1 + L(H+1): 32,491 for GPT-2 small.</summary>
    public static long CountFor(int layers, int heads) =>
        Enumerable.Range(0, layers).Sum(l => 3L * heads * (1 + l * (heads + 1)) + 1 + l * (heads + 1) + heads) + 1 + layers * (heads + 1L);

    /// <summary>The index of layer <paramref name="layer"/>'s first sender (its head 0): the count of senders upstream of that layer's heads' inputs.</summary>
    public int FirstSenderOfLayer(int layer) => 1 + layer * (Heads + 1);

    public int SenderIndex(Sender s) => s.Kind switch
    {
        SenderKind.Input => 0,
        SenderKind.Head => FirstSenderOfLayer(s.Layer) + s.Head,
        _ => FirstSenderOfLayer(s.Layer) + Heads,
    };

    /// <summary>Receivers per layer: 3H head inputs and one MLP.</summary>
    public int ReceiversPerLayer => 3 * Heads + 1;

    /// <summary>The index of layer <paramref name="layer"/>'s first receiver (head 0's q input).</summary>
    public int FirstReceiverOfLayer(int layer) => layer * ReceiversPerLayer;

    public int ReceiverIndex(Receiver r) => r.Kind switch
    {
        ReceiverKind.Logits => Receivers.Count - 1,
        ReceiverKind.Mlp => FirstReceiverOfLayer(r.Layer) + 3 * Heads,
        _ => FirstReceiverOfLayer(r.Layer) + ((int)r.Input - 1) * Heads + r.Head,
    };

    /// <summary>How many senders feed receiver <paramref name="receiver"/> (its in-edges): the senders before it in forward order.</summary>
    public int SendersInto(int receiver)
    {
        var r = Receivers[receiver];
        return r.Kind switch
        {
            ReceiverKind.Logits => Senders.Count,
            ReceiverKind.Mlp => FirstSenderOfLayer(r.Layer) + Heads,
            _ => FirstSenderOfLayer(r.Layer),
        };
    }

    /// <summary>The index of receiver <paramref name="receiver"/>'s first in-edge; its in-edges are this and the next <see cref="SendersInto"/> − 1.</summary>
    public int FirstEdgeInto(int receiver) => _edgeOffset[receiver];

    public bool Feeds(int sender, int receiver) => sender < SendersInto(receiver);

    public int EdgeIndex(int sender, int receiver)
    {
        if (!Feeds(sender, receiver)) throw new ArgumentException($"{Senders[sender].Name} does not feed {Receivers[receiver].Name}");
        return _edgeOffset[receiver] + sender;
    }

    public (int Sender, int Receiver) Ends(int edge)
    {
        if (edge < 0 || edge >= EdgeCount) throw new ArgumentOutOfRangeException(nameof(edge), edge, $"the graph has edges 0..{EdgeCount - 1}");
        // Offsets rise strictly (every receiver reads at least the input): an exact hit is a
        // receiver's first edge, otherwise the edge lies in the range of the receiver before.
        int r = Array.BinarySearch(_edgeOffset, edge);
        r = r >= 0 ? r : ~r - 1;
        return (edge - _edgeOffset[r], r);
    }

    public Edge this[int edge]
    {
        get
        {
            var (s, r) = Ends(edge);
            return new Edge(Senders[s], Receivers[r]);
        }
    }

    public IEnumerable<Edge> Edges => Enumerable.Range(0, EdgeCount).Select(e => this[e]);

    /// <summary>Edge names in edge order.</summary>
    public IReadOnlyList<string> EdgeNames() => Edges.Select(e => e.Name).ToArray();

    /// <summary>The edge with an EAP-IG name such as <c>a0.h1->m1</c>.</summary>
    public int EdgeIndex(string name)
    {
        int arrow = name.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || !_senderByName.TryGetValue(name[..arrow], out int s) || !_receiverByName.TryGetValue(name[(arrow + 2)..], out int r) || !Feeds(s, r))
            throw new ArgumentException($"'{name}' is not an edge of this {Layers}-layer, {Heads}-head graph (examples: input->a0.h1<q>, a0.h1->m1, m{Layers - 1}->logits)");
        return EdgeIndex(s, r);
    }

    /// <summary>Every out-edge of a sender.</summary>
    public IEnumerable<int> EdgesOutOf(int sender) =>
        Enumerable.Range(0, Receivers.Count).Where(r => Feeds(sender, r)).Select(r => EdgeIndex(sender, r));

    /// <summary>θ [S, R] with 1 on the given edges and 0 elsewhere (an edge run's mask).</summary>
    public Tensor Mask(IEnumerable<int> edges, ScalarType dtype = ScalarType.Float32, Device? device = null)
    {
        var values = new float[Senders.Count * Receivers.Count];
        foreach (var e in edges)
        {
            var (s, r) = Ends(e);
            values[s * Receivers.Count + r] = 1;
        }
        return tensor(values, [Senders.Count, Receivers.Count]).to(dtype, device ?? CPU);
    }
}
