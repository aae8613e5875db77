namespace Concord.Model.Edges;

/// <summary>What writes into the residual stream: the token embedding, a head's output, an MLP's output.</summary>
public enum SenderKind { Input, Head, Mlp }

/// <summary>
/// A node that writes into the residual stream, named as EAP-IG's graph names it: <c>input</c>
/// (hook_embed: the position embedding is the same in every run and belongs to the constant part),
/// <c>a3.h7</c> (z_h·W_O[h] without b_O: TransformerLens's hook_result), <c>m3</c> (hook_mlp_out).
/// </summary>
public readonly record struct Sender(SenderKind Kind, int Layer = -1, int Head = -1)
{
    public static Sender Input => new(SenderKind.Input);

    public string Name => Kind switch
    {
        SenderKind.Input => "input",
        SenderKind.Head => $"a{Layer}.h{Head}",
        _ => $"m{Layer}",
    };

    public override string ToString() => Name;
}

/// <summary>Which input of a head a receiver is; <see cref="None"/> for an MLP or the logits.</summary>
public enum ReceiverInput { None, Q, K, V }

/// <summary>What reads the residual stream: one input of a head, an MLP, the unembedding.</summary>
public enum ReceiverKind { Head, Mlp, Logits }

/// <summary>
/// A node that reads the residual stream, named as EAP-IG's graph names it: <c>a3.h7&lt;q&gt;</c>
/// (the stream as head 7 reads it for its queries, before its own ln_1: TransformerLens's
/// hook_q_input), <c>m3</c> (before ln_2), <c>logits</c> (before ln_f).
/// </summary>
public readonly record struct Receiver(ReceiverKind Kind, int Layer = -1, int Head = -1, ReceiverInput Input = ReceiverInput.None)
{
    public static Receiver Logits => new(ReceiverKind.Logits);

    public string Name => Kind switch
    {
        ReceiverKind.Head => $"a{Layer}.h{Head}<{Input.ToString().ToLowerInvariant()}>",
        ReceiverKind.Mlp => $"m{Layer}",
        _ => "logits",
    };

    /// <summary>The node a receiver belongs to (the head, the MLP, the logits), as EAP-IG's nodes are named: <c>a3.h7</c>, <c>m3</c>, <c>logits</c>.</summary>
    public string NodeName => Kind == ReceiverKind.Head ? $"a{Layer}.h{Head}" : Name;

    public override string ToString() => Name;
}

/// <summary>One connection sender → receiver, named as EAP-IG names it: <c>input->a0.h1&lt;q&gt;</c>, <c>a0.h1->m1</c>, <c>m3->logits</c>.</summary>
public readonly record struct Edge(Sender From, Receiver To)
{
    public string Name => $"{From.Name}->{To.Name}";

    public override string ToString() => Name;
}
