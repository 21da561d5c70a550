using Microsoft.DurableTask;

namespace IvvyWorkflows.Engine.Tests;

/// <summary>Orchestrators and activities used by the engine tests.</summary>
internal static class TestTasks
{
    public const string Pipeline = nameof(Pipeline);
    public const string Counter = nameof(Counter);
    public const string Parent = nameof(Parent);
    public const string Child = nameof(Child);
    public const string Approval = nameof(Approval);
    public const string Add = nameof(Add);
    public const string Double = nameof(Double);
    public const string Describe = nameof(Describe);
    public const string Shout = nameof(Shout);

    /// <summary>A record that travels through orchestration input and output.</summary>
    public sealed record Order(string Id, int Quantity, decimal Price);

    /// <summary>Registers every test task.</summary>
    public static void Register(DurableTaskRegistry registry)
    {
        // Three activities in sequence, each consuming the previous one's output.
        registry.AddOrchestratorFunc<Order, string>(Pipeline, async (context, order) =>
        {
            int added = await context.CallActivityAsync<int>(Add, order.Quantity);
            int doubled = await context.CallActivityAsync<int>(Double, added);
            return await context.CallActivityAsync<string>(Describe, new Order(order.Id, doubled, order.Price));
        });
        registry.AddActivityFunc<int, int>(Add, (_, value) => value + 1);
        registry.AddActivityFunc<int, int>(Double, (_, value) => value * 2);
        registry.AddActivityFunc<Order, string>(Describe, (_, order) => $"{order.Id}:{order.Quantity}x{order.Price}");

        // ContinueAsNew until the generation reaches 5; each generation runs one activity.
        registry.AddOrchestratorFunc<int, int>(Counter, async (context, generation) =>
        {
            int next = await context.CallActivityAsync<int>(Add, generation);
            if (next < 5)
            {
                context.ContinueAsNew(next);
                return -1;
            }

            return next;
        });

        registry.AddOrchestratorFunc<string, string>(Parent, async (context, input) =>
        {
            string first = await context.CallSubOrchestratorAsync<string>(Child, input + "-a");
            string second = await context.CallSubOrchestratorAsync<string>(Child, input + "-b");
            return first + "+" + second;
        });
        registry.AddOrchestratorFunc<string, string>(Child, (context, input) =>
            context.CallActivityAsync<string>(Shout, input));
        registry.AddActivityFunc<string, string>(Shout, (_, text) => text.ToUpperInvariant());

        // Builds some state, then waits for an external event that may arrive after a restart.
        registry.AddOrchestratorFunc<string, string>(Approval, async (context, input) =>
        {
            string before = await context.CallActivityAsync<string>(Shout, input);
            context.SetCustomStatus("waiting");
            string decision = await context.WaitForExternalEvent<string>("approve");
            return before + "|" + decision;
        });
    }
}
