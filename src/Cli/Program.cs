Console.WriteLine("ivvy-workflows");
