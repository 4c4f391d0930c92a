import AutoencoderCLI

AutoencoderCommand.main()
