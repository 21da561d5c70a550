using System.Collections.Concurrent;

namespace IvvyWorkflows.Sandbox.Control;

/// <summary>
/// The generic controls of one hosted simulator: simulated latency, armed faults and the call journal.
/// The same state is reachable over HTTP under <c>/__sandbox__/…</c> on the simulator's own origin.
/// </summary>
/// <remarks>Thread-safe. Every non-control request is journaled (faulted ones included), then delayed, then possibly faulted.</remarks>
public sealed class SimulatorControls
{
    private readonly Lock _faultsLock = new();
    private readonly List<ArmedFault> _faults = [];
    private readonly ConcurrentDictionary<string, long> _calls = new(StringComparer.Ordinal);
    private long _latencyTicks;

    /// <summary>Creates the controls for <paramref name="simulator"/>.</summary>
    /// <param name="simulator">The simulator whose answers are controlled; it supplies the bodies of injected faults.</param>
    /// <param name="latency">Initial latency added to every call.</param>
    public SimulatorControls(ISimulator simulator, TimeSpan latency = default)
    {
        Simulator = simulator;
        Latency = latency;
    }

    /// <summary>The simulator these controls apply to.</summary>
    public ISimulator Simulator { get; }

    /// <summary>Delay added before every API call is answered (zero = none).</summary>
    /// <remarks>Measured on the host's <see cref="TimeProvider"/>: under a fake clock a delayed call waits until the clock is advanced.</remarks>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero);
            Interlocked.Exchange(ref _latencyTicks, value.Ticks);
        }
    }

    /// <summary>Calls answered so far, keyed by endpoint ("contact.getContactList", "POST /crm/v3/objects/contacts/batch/upsert").</summary>
    public IReadOnlyDictionary<string, long> Calls => new SortedDictionary<string, long>(_calls, StringComparer.Ordinal);

    /// <summary>Rules still armed, in order, each with the calls it has left to skip and to fail.</summary>
    public IReadOnlyList<FaultRule> ArmedFaults
    {
        get
        {
            lock (_faultsLock)
            {
                return _faults.Select(f => f.Rule with { AfterCalls = f.SkipRemaining, Count = f.FailRemaining }).ToList();
            }
        }
    }

    /// <summary>Arms a fault rule behind the ones already armed.</summary>
    /// <exception cref="ArgumentException">The rule is invalid (see <see cref="FaultRule.Validate"/>).</exception>
    public void ArmFault(FaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        rule.Validate();
        lock (_faultsLock)
        {
            _faults.Add(new ArmedFault(rule));
        }
    }

    /// <summary>Disarms every fault rule.</summary>
    public void ClearFaults()
    {
        lock (_faultsLock)
        {
            _faults.Clear();
        }
    }

    /// <summary>Empties the call journal.</summary>
    public void ResetCalls() => _calls.Clear();

    /// <summary>Counts one call to <paramref name="endpoint"/>.</summary>
    internal void Record(string endpoint) => _calls.AddOrUpdate(endpoint, 1, static (_, n) => n + 1);

    /// <summary>Consumes the fault, if any, that answers a call to <paramref name="pathAndQuery"/>.</summary>
    internal FaultRule? TakeFault(string pathAndQuery)
    {
        lock (_faultsLock)
        {
            for (var i = 0; i < _faults.Count; i++)
            {
                var fault = _faults[i];
                if (!string.IsNullOrEmpty(fault.Rule.Match)
                    && !pathAndQuery.Contains(fault.Rule.Match, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                if (fault.SkipRemaining > 0)
                {
                    fault.SkipRemaining--;
                    continue;
                }

                fault.FailRemaining--;
                if (fault.FailRemaining == 0)
                {
                    _faults.RemoveAt(i);
                }

                return fault.Rule;
            }

            return null;
        }
    }

    private sealed class ArmedFault(FaultRule rule)
    {
        public FaultRule Rule { get; } = rule;

        public int SkipRemaining { get; set; } = rule.AfterCalls;

        public int FailRemaining { get; set; } = rule.Count;
    }
}
