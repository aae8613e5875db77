using System.Reflection;
using System.Reflection.Emit;
using NUnit.Framework;

namespace Concord.Tests.Correctness.Architecture;

/// <summary>
/// The namespaces of Concord's libraries depend on each other without cycles, read from the compiled
/// code itself (base types, interfaces, fields, properties, method signatures, attributes, and every
/// type, method and field a method body names), so a dependency hidden in a method body counts as
/// much as one in a signature. Cycles present when this test was written are listed as debts:
/// a new cycle fails, and so does a listed one that has gone (the list only shrinks).
/// </summary>
public class NamespaceCycleTests
{
    private static readonly Assembly[] Libraries =
    [
        typeof(Concord.Model.HookedGpt2).Assembly, typeof(Concord.Tasks.TaskKind).Assembly,
        typeof(Concord.Methods.Attribution.Method).Assembly, typeof(Concord.Studies.Study).Assembly,
    ];

    /// <summary>
    /// Cycles still in the code, each as its namespaces: none since issue 28 item 5. Kept so that a
    /// cycle accepted for a while is written down here, and the test says when it has gone.
    /// </summary>
    private static readonly string[][] KnownCycles = [];

    [Test]
    public void TheLibrariesNamespacesFormNoNewCycle()
    {
        var graph = Dependencies();
        var cycles = StronglyConnected(graph).Select(c => c.Order(StringComparer.Ordinal).ToArray()).ToList();
        string Text(IEnumerable<string> c) => string.Join(" ↔ ", c.Order(StringComparer.Ordinal));
        var known = KnownCycles.Select(Text).ToHashSet();
        var found = cycles.Select(Text).ToHashSet();
        Assert.Multiple(() =>
        {
            foreach (var cycle in found.Except(known))
                Assert.Fail($"a namespace cycle: {cycle} ({Edges(graph, cycles.First(c => Text(c) == cycle))})");
            foreach (var gone in known.Except(found))
                Assert.Fail($"the cycle {gone} is gone: remove it from {nameof(KnownCycles)}");
        });
    }

    /// <summary>The test sees a body's dependency: a namespace only a method body names is an edge.</summary>
    [Test]
    public void AMethodBodysReferenceIsADependency()
    {
        var graph = Dependencies();
        // Study.Run names AttributionPipeline only inside its body (new AttributionPipeline(...).Run(...)).
        Assert.That(graph["Concord.Studies"], Does.Contain("Concord.Methods.Pipeline"));
        Assert.That(graph["Concord.Studies.Outputs"], Does.Contain("Concord.Studies"));
    }

    private static string Edges(Dictionary<string, HashSet<string>> graph, string[] cycle) =>
        string.Join("; ", cycle.SelectMany(a => graph[a].Where(cycle.Contains).Select(b => $"{a} → {b}")));

    private static Dictionary<string, HashSet<string>> Dependencies()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        void Edge(string? from, Type? to)
        {
            if (from is null || to is null) return;
            if (to.IsGenericType && !to.IsGenericTypeDefinition) foreach (var a in to.GetGenericArguments()) Edge(from, a);
            if (to.HasElementType) { Edge(from, to.GetElementType()); return; }
            if (to.IsGenericParameter || to.Namespace is not { } ns || !ns.StartsWith("Concord.", StringComparison.Ordinal) || ns == from) return;
            graph[from].Add(ns);
        }
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        foreach (var type in Libraries.SelectMany(a => a.GetTypes()))
        {
            if (type.Namespace is not { } ns) continue;
            graph.TryAdd(ns, []);
            Edge(ns, type.BaseType);
            foreach (var i in type.GetInterfaces()) Edge(ns, i);
            foreach (var a in type.GetCustomAttributesData()) Edge(ns, a.AttributeType);
            foreach (var f in type.GetFields(all)) Edge(ns, f.FieldType);
            foreach (var p in type.GetProperties(all)) Edge(ns, p.PropertyType);
            foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                if (m is MethodInfo info) Edge(ns, info.ReturnType);
                foreach (var p in m.GetParameters()) Edge(ns, p.ParameterType);
                foreach (var t in BodyReferences(m)) Edge(ns, t);
            }
        }
        return graph;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The declaring types of every type, method and field a method body's IL names.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null) yield break;
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            i += il[i] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), typeArgs, methodArgs); }
                catch (ArgumentException) { }   // a token of another module's generic context: its declaring type is named elsewhere too
                if ((member as Type ?? member?.DeclaringType) is { } referenced) yield return referenced;
                if (member is MethodInfo { IsGenericMethod: true } called) foreach (var a in called.GetGenericArguments()) yield return a;
            }
            i += size;
        }
    }

    private static List<string[]> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var (index, low, onStack, stack, result) = (new Dictionary<string, int>(), new Dictionary<string, int>(), new HashSet<string>(), new Stack<string>(), new List<string[]>());
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in graph.GetValueOrDefault(v, []))
            {
                if (!graph.ContainsKey(w)) continue;
                if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (onStack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string x;
            do { x = stack.Pop(); onStack.Remove(x); component.Add(x); } while (x != v);
            if (component.Count > 1) result.Add(component.ToArray());
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal).ToList()) if (!index.ContainsKey(v)) Visit(v);
        return result;
    }
}
