from llmiq.cli import main

main()
