using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("IvvyWorkflows.Engine.Tests")]
