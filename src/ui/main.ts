// Entry point of the lab page.
import './shell/app-shell';
