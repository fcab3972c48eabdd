/* mtv-plan: see plan.c and README.md. */
int plan_main(int argc, char **argv);

int main(int argc, char **argv)
{
	return plan_main(argc, argv);
}
