namespace BotFlow.Plugins.Integration; internal static class Placeholder { }
