using System.CommandLine;
using IvvyWorkflows.Cli;
using IvvyWorkflows.Cli.Commands;

var verbose = new Option<bool>("--verbose", "-v") { Description = "Log what the engine does (to stderr).", Recursive = true };
var json = new Option<bool>("--json") { Description = "Print the result as one JSON object on stdout." };
var dryRun = new Option<bool>("--dry-run") { Description = "Report what would be created or updated; write nothing." };
var all = new Option<bool>("--all") { Description = "Run every enabled module, one after another." };
var version = new Option<int?>("--definition-version") { Description = "Run this version of the definition instead of the newest published one." };
var module = new Argument<string?>("module") { Description = "The module to run (a folder under workflows/), e.g. contacts.", Arity = ArgumentArity.ZeroOrOne };
var runId = new Argument<string>("run-id") { Description = "The run, as `status` lists it." };
var optionalRunId = new Argument<string?>("run-id") { Description = "One run to show in detail.", Arity = ArgumentArity.ZeroOrOne };
var page = new Option<int>("--page") { Description = "Which page of a long list to show (the dry-run plan, the quarantine), from 1.", DefaultValueFactory = _ => 1 };
var pageSize = new Option<int>("--page-size") { Description = "Entries a page.", DefaultValueFactory = _ => IvvyWorkflows.Activities.State.PageRequest.DefaultSize };
var seed = new Option<int?>("--seed-count") { Description = "Contacts to seed when the sandbox's state is new." };

var run = new Command("run", "Sync a module now: fetch modified → diff → map → upsert → checkpoint, durably.") { module, all, dryRun, json, version, page, pageSize };
run.SetAction((parse, ct) => RunCommands.RunAsync(parse.GetValue(module), parse.GetValue(all), parse.GetValue(dryRun), parse.GetValue(version), parse.GetValue(json), parse.GetValue(verbose), ct,
    (parse.GetValue(page), parse.GetValue(pageSize))));

var resume = new Command("resume", "Continue a run from its last committed page.") { runId, json };
resume.SetAction((parse, ct) => RunCommands.ResumeAsync(parse.GetValue(runId)!, parse.GetValue(json), parse.GetValue(verbose), ct));

var terminate = new Command("terminate", "Stop a run; what it committed stays.") { runId };
terminate.SetAction((parse, ct) => RunCommands.TerminateAsync(parse.GetValue(runId)!, parse.GetValue(verbose), ct));

var status = new Command("status", "List recent runs, or show one.") { optionalRunId, json };
status.SetAction((parse, ct) => RunCommands.StatusAsync(parse.GetValue(optionalRunId), parse.GetValue(json), parse.GetValue(verbose), ct));

var replayModule = new Argument<string>("module") { Description = "The module whose quarantined records to sync again." };
var replay = new Command("replay", "Sync a module's quarantined records again (after fixing a template or the CRM's settings).") { replayModule, json };
replay.SetAction((parse, ct) => RunCommands.ReplayAsync(parse.GetValue(replayModule)!, parse.GetValue(json), parse.GetValue(verbose), ct));

var quarantine = new Command("quarantine", "List quarantined records with their reasons, a page at a time.") { module, json, page, pageSize };
quarantine.SetAction((parse, ct) => RunCommands.QuarantineAsync(parse.GetValue(module), parse.GetValue(json), parse.GetValue(verbose), ct,
    (parse.GetValue(page), parse.GetValue(pageSize))));

var validate = new Command("validate", "Check every definition (schema, templates, golden cases, published versions unchanged).") { module };
validate.SetAction((parse, ct) => ValidateCommand.RunAsync(parse.GetValue(module), parse.GetValue(verbose), ct));

var publishModule = new Argument<string>("module") { Description = "The module whose version to publish." };
var publishVersion = new Argument<int>("version") { Description = "The version folder (v<N>) to publish; published versions never change." };
var publish = new Command("publish", "Validate a version and record its content hash in workflows/published.json.") { publishModule, publishVersion };
publish.SetAction((parse, ct) => ValidateCommand.PublishAsync(parse.GetValue(publishModule)!, parse.GetValue(publishVersion), parse.GetValue(verbose), ct));

var sandbox = new Command("sandbox", "Run the simulated iVvy and HubSpot as their own process, state on disk, until Ctrl+C.") { seed };
sandbox.SetAction((parse, ct) => SandboxCommand.RunAsync(parse.GetValue(seed), parse.GetValue(verbose), ct));

var urls = new Option<string?>("--urls") { Description = "Where to listen (default http://127.0.0.1:5700)." };
var serve = new Command("serve", "Keep the enabled modules in sync on their schedules, with the operators' console and its API, until Ctrl+C.") { urls };
serve.SetAction((parse, ct) => ServeCommand.RunAsync(parse.GetValue(urls), parse.GetValue(verbose), ct));

var userName = new Argument<string>("name") { Description = "The new user's sign-in name." };
var role = new Option<string>("--role") { Description = "integrator, operator or business-user.", Required = true };
var usersAdd = new Command("add", "Add a local account to the console; prints its one-time password.") { userName, role };
usersAdd.SetAction((parse, ct) => ServeCommand.AddUserAsync(parse.GetValue(userName)!, parse.GetValue(role)!, parse.GetValue(verbose), ct));
var users = new Command("users", "Local accounts of the console.") { usersAdd };

var root = new RootCommand("ivvy-workflows: keeps iVvy and a CRM in sync, durably.") { verbose, run, resume, terminate, status, quarantine, replay, validate, publish, sandbox, serve, users };
// Signals are ours alone (see StopSignals): every action's token is cancelled by the first SIGINT or SIGTERM.
using var stop = new StopSignals();
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, stop.Token);
