using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>Serves Elsa Studio (copied into <c>elsa-studio/</c> by ElsaStudio.targets) under <c>/elsa-studio/</c>, with
/// the MIME types a Blazor WebAssembly app needs. Public files of an npm package: no sign-in, like the console's.</summary>
public static class ElsaStudioFiles
{
    public const string RequestPath = "/elsa-studio";
    public const string FolderName = "elsa-studio";

    public static IApplicationBuilder UseElsaStudioFiles(this IApplicationBuilder app, string contentRoot)
    {
        var folder = Path.Combine(contentRoot, FolderName);
        if (!Directory.Exists(folder))
        {
            // Built with -p:SkipClientApp=true: the module page says the editor is not there.
            return app;
        }

        var types = new FileExtensionContentTypeProvider();
        types.Mappings[".wasm"] = "application/wasm";
        types.Mappings[".dat"] = "application/octet-stream";
        types.Mappings[".blat"] = "application/octet-stream";
        types.Mappings[".dll"] = "application/octet-stream";
        types.Mappings[".webmanifest"] = "application/manifest+json";
        return app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(folder),
            RequestPath = RequestPath,
            ContentTypeProvider = types,
            // The package's file names carry their content hash; the host page, host.js and appsettings.json do not.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl =
                context.File.Name is "editor.html" or "host.js" or "appsettings.json" ? "no-cache" : "public, max-age=604800",
        });
    }
}
