#!/usr/bin/env node
// `npx cdk synth` entry point (see cdk.json): the golden-path app, with the compliance packs.
import { App } from 'aws-cdk-lib';
import { buildGoldenPathApp } from './golden-path-app';

const app = new App();
buildGoldenPathApp(app);
app.synth();
