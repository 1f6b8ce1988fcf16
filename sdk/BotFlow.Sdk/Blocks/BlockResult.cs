namespace BotFlow.Sdk.Blocks;

/// <summary>What a block decided: which way the conversation goes after it.</summary>
public enum BlockOutcome
{
    /// <summary>Leave the block through a named exit. An exit that the flow does not connect ends the conversation.</summary>
    Exit,
    /// <summary>Stop here until the contact's next message, which resumes this block.</summary>
    Wait,
    /// <summary>End the conversation.</summary>
    End,
    /// <summary>Hand the conversation to a human department; the bot stays silent until it is restarted.</summary>
    Transfer,
}

/// <summary>The result of running or resuming a block.</summary>
public readonly record struct BlockResult
{
    private BlockResult(BlockOutcome outcome, string? exit, string? department)
    {
        Outcome = outcome;
        ExitName = exit;
        Department = department;
    }

    /// <summary>Which way the conversation goes.</summary>
    public BlockOutcome Outcome { get; }

    /// <summary>The exit taken when <see cref="Outcome"/> is <see cref="BlockOutcome.Exit"/>.</summary>
    public string? ExitName { get; }

    /// <summary>The department when <see cref="Outcome"/> is <see cref="BlockOutcome.Transfer"/>.</summary>
    public string? Department { get; }

    /// <summary>The name of the exit a flow's <c>next</c> shorthand connects.</summary>
    public const string DefaultExit = "default";

    /// <summary>Leave through <paramref name="exit"/>.</summary>
    public static BlockResult Exit(string exit) => new(BlockOutcome.Exit, exit, null);

    /// <summary>Leave through the <c>default</c> exit (the flow's <c>next</c>).</summary>
    public static BlockResult Next() => new(BlockOutcome.Exit, DefaultExit, null);

    /// <summary>Wait for the contact's next message; the host then calls <see cref="IBlock.ResumeAsync"/>.</summary>
    public static BlockResult Wait() => new(BlockOutcome.Wait, null, null);

    /// <summary>End the conversation.</summary>
    public static BlockResult End() => new(BlockOutcome.End, null, null);

    /// <summary>Transfer the conversation to <paramref name="department"/>.</summary>
    public static BlockResult Transfer(string department) => new(BlockOutcome.Transfer, null, department);
}
