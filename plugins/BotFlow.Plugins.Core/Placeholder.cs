namespace BotFlow.Plugins.Core; internal static class Placeholder { }
