using Concord.Model.Edges;

namespace Concord.Methods.Edges;

/// <summary>
/// The nodes a circuit keeps or drops, as EAP-IG's <c>Graph.nodes</c>: <c>input</c>, each head
/// <c>a{l}.h{h}</c>, each MLP <c>m{l}</c>, then <c>logits</c>. A node is numbered as its sender, so
/// its out-edges are its sender's; the logits, which send nothing, come last. A head's three
/// receivers (its q, k and v inputs) all belong to the head: its in-edges are theirs together.
/// </summary>
public static class CircuitNodes
{
    public static int Count(EdgeGraph graph) => graph.Senders.Count + 1;

    public static int Input => 0;

    public static int Logits(EdgeGraph graph) => graph.Senders.Count;

    public static string Name(EdgeGraph graph, int node) => node == Logits(graph) ? Receiver.Logits.Name : graph.Senders[node].Name;

    /// <summary>Node names in EAP-IG's order (input, each layer's heads and MLP, logits).</summary>
    public static IReadOnlyList<string> Names(EdgeGraph graph) => Enumerable.Range(0, Count(graph)).Select(n => Name(graph, n)).ToArray();

    /// <summary>The node whose input receiver <paramref name="receiver"/> is.</summary>
    public static int OfReceiver(EdgeGraph graph, int receiver)
    {
        var r = graph.Receivers[receiver];
        return r.Kind switch
        {
            ReceiverKind.Logits => Logits(graph),
            ReceiverKind.Mlp => graph.SenderIndex(new Sender(SenderKind.Mlp, r.Layer)),
            _ => graph.SenderIndex(new Sender(SenderKind.Head, r.Layer, r.Head)),
        };
    }

    /// <summary>The node at the receiving end of each edge, in edge order.</summary>
    public static int[] ReceivingNodes(EdgeGraph graph)
    {
        var nodes = new int[graph.EdgeCount];
        for (int r = 0; r < graph.Receivers.Count; r++)
        {
            int node = OfReceiver(graph, r), first = graph.FirstEdgeInto(r);
            Array.Fill(nodes, node, first, graph.SendersInto(r));
        }
        return nodes;
    }

    /// <summary>The sending node of each edge, in edge order (a receiver's in-edges run over senders 0, 1, …).</summary>
    public static int[] SendingNodes(EdgeGraph graph)
    {
        var nodes = new int[graph.EdgeCount];
        for (int r = 0; r < graph.Receivers.Count; r++)
            for (int s = 0, first = graph.FirstEdgeInto(r); s < graph.SendersInto(r); s++) nodes[first + s] = s;
        return nodes;
    }
}
