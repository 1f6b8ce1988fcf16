namespace BotFlow.Plugins.Integration.Scripts;

/// <summary>
/// Limits for the Integration block's response-mapping script (integration-block.md, "Response-mapping script";
/// hardening.md, "Jint"). Every limit is always on: there is no "unlimited" value, <see cref="Validate"/> refuses one.
/// </summary>
public sealed class ScriptOptions
{
    /// <summary>
    /// Wall-clock time one run may take. Default 250 ms.
    /// The admin sees "time limit of 250 ms exceeded" and the block takes its failure exit.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Bytes the script may allocate in one run (Jint counts allocations, not memory held). Default 4,000,000.
    /// The admin sees "memory limit of 4000000 bytes exceeded".
    /// </summary>
    public long MemoryLimitBytes { get; set; } = 4_000_000;

    /// <summary>
    /// Statements one run may execute; stops infinite loops early. Default 10,000.
    /// The admin sees "statement limit of 10000 reached".
    /// </summary>
    public int MaxStatements { get; set; } = 10_000;

    /// <summary>
    /// How many times one function may be on the call stack at once. Default 64.
    /// The admin sees "recursion depth limit of 64 exceeded".
    /// </summary>
    public int MaxRecursionDepth { get; set; } = 64;

    /// <summary>
    /// Time one regular-expression match may take, against catastrophic backtracking (at most 100 ms, hardening.md). Default 100 ms.
    /// The admin sees "regular expression timed out after 100 ms".
    /// </summary>
    public TimeSpan RegexTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Length of the script source, in characters. Default 65,536 (64 Ki).
    /// The admin sees "script is 70000 characters long; the limit is 65536" when saving the flow.
    /// </summary>
    public int MaxSourceLength { get; set; } = 64 * 1024;

    /// <summary>
    /// Lines one run may write with <c>log(text)</c>. Default 100.
    /// Further lines are dropped and the admin sees one last line saying how many were dropped.
    /// </summary>
    public int MaxLogLines { get; set; } = 100;

    /// <summary>The largest regex timeout hardening.md allows.</summary>
    internal static readonly TimeSpan MaxRegexTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>Problems with these options, one sentence each; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Timeout <= TimeSpan.Zero)
            problems.Add($"{nameof(Timeout)} must be positive.");
        // Jint treats these "maximum" values as "no limit", which must never happen by accident.
        if (Timeout >= TimeSpan.MaxValue)
            problems.Add($"{nameof(Timeout)} must be finite.");
        if (MemoryLimitBytes <= 0 || MemoryLimitBytes == long.MaxValue)
            problems.Add($"{nameof(MemoryLimitBytes)} must be positive and finite.");
        if (MaxStatements <= 0 || MaxStatements == int.MaxValue)
            problems.Add($"{nameof(MaxStatements)} must be positive and finite.");
        if (MaxRecursionDepth <= 0)
            problems.Add($"{nameof(MaxRecursionDepth)} must be positive.");
        if (RegexTimeout <= TimeSpan.Zero)
            problems.Add($"{nameof(RegexTimeout)} must be positive.");
        else if (RegexTimeout > MaxRegexTimeout)
            problems.Add($"{nameof(RegexTimeout)} must be at most {MaxRegexTimeout.TotalMilliseconds:0} ms.");
        if (MaxSourceLength <= 0)
            problems.Add($"{nameof(MaxSourceLength)} must be positive.");
        if (MaxLogLines <= 0)
            problems.Add($"{nameof(MaxLogLines)} must be positive.");
        return problems;
    }
}
