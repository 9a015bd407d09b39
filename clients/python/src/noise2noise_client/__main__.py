from noise2noise_client.cli import main

raise SystemExit(main())
