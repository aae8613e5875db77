namespace Concord.Tasks.Models;

/// <summary>What kind of model a folder holds, as far as its files tell.</summary>
public enum ModelKind { Gpt2, Trained, Random, Other }
