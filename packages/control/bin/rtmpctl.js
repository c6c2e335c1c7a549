#!/usr/bin/env node
// Committed entry point so npm links the command at install time, before dist/ is built.
import '../dist/rtmpctl.js';
