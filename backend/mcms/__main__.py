from mcms.cli import main

raise SystemExit(main())
