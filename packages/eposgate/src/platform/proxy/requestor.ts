// Requestor headers on the product-facing API, named as the REST contract names them (the table
// and its reader live in the contract).
export { requestorFromHttp as requestorFrom } from '@eposgate/contract';
