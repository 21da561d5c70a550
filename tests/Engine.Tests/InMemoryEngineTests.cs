using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Engine.Tests;

/// <summary>The in-memory engine (unit tests only): same API, same worker wiring, no storage.</summary>
public sealed class InMemoryEngineTests
{
    [Fact]
    public async Task StartInMemoryAsync_ActivityWithInjectedService_RunsOrchestrationToCompletion()
    {
        await using var engine = await DurableEngine.StartInMemoryAsync(
            registry =>
            {
                TestTasks.Register(registry);
                registry.AddOrchestratorFunc<string, string>("Greet", (context, name) => context.CallActivityAsync<string>(nameof(GreetActivity), name));
                registry.AddActivity<GreetActivity>();
            },
            services => services.AddSingleton(new Greeting("Hello")));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));

        string greet = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Greet", "iVvy", timeout.Token);
        string pipeline = await engine.Client.ScheduleNewOrchestrationInstanceAsync(
            TestTasks.Pipeline, new TestTasks.Order("o1", 1, 2m), timeout.Token);
        OrchestrationMetadata greeted = await engine.WaitForCompletionAsync(greet, timeout.Token);
        OrchestrationMetadata piped = await engine.WaitForCompletionAsync(pipeline, timeout.Token);

        Assert.Equal("Hello, iVvy", greeted.ReadOutputAs<string>());
        Assert.Equal("o1:4x2", piped.ReadOutputAs<string>());
        Assert.False(engine.IsDurable);
    }

    /// <summary>A dependency registered through configureServices.</summary>
    public sealed record Greeting(string Word);

    /// <summary>A class-based activity created from the worker host's container.</summary>
    public sealed class GreetActivity(Greeting greeting) : TaskActivity<string, string>
    {
        /// <inheritdoc />
        public override Task<string> RunAsync(TaskActivityContext context, string input) =>
            Task.FromResult($"{greeting.Word}, {input}");
    }
}
